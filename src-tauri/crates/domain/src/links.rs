//! Parent/child links between assets. Only the rule lives here (no IO): the store walks the
//! tree and hands the ancestor chain in.

use crate::model::AssetId;

/// Whether making `parent` the parent of `child` closes a cycle, given `parent`'s ancestors
/// (nearest first). True when the child is the parent itself or one of its ancestors.
pub fn closes_cycle(child: AssetId, parent: AssetId, parent_ancestors: &[AssetId]) -> bool {
    child == parent || parent_ancestors.contains(&child)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn self_parent_is_a_cycle() {
        assert!(closes_cycle(AssetId(1), AssetId(1), &[]));
    }

    #[test]
    fn descendant_as_parent_is_a_cycle() {
        // 1 → 2 → 3 (3's parent is 2, 2's parent is 1); making 3 the parent of 1 cycles.
        assert!(closes_cycle(
            AssetId(1),
            AssetId(3),
            &[AssetId(2), AssetId(1)]
        ));
        assert!(!closes_cycle(
            AssetId(4),
            AssetId(3),
            &[AssetId(2), AssetId(1)]
        ));
    }
}
