//! HaloPSA emulator (issue 5).
