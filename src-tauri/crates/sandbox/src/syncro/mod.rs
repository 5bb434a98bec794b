//! Syncro emulator (issue 6).
