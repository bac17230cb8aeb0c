"""Data-parallel pruning: two gloo processes with different data on each rank end every mask update with identical
masks (local and global scope, weights and 4x1 blocks, a plain loop with `Sparsifier` and a fastai `Learner` with
`SparsifyCallback`), and the training ends with identical weights."""
import pytest
from ddp_harness import ddp_mask_check

@pytest.mark.parametrize('kw', [dict(sync=False, scope='global', granularity=(4, 1)),
                                dict(sync=False, scope='local', granularity='weight', learner=True),
                                dict(sync=True, scope='local', granularity=(4, 1), learner=True)],
                         ids=['loop-global-4x1', 'learner-local-weight', 'learner-sync'])
def test_masks_and_weights_equal_on_every_rank(kw):
    r = ddp_mask_check(2, start_method='fork', timeout=900, **kw)   # ~2-50 s a case; the timeout only guards against a hang on a loaded machine
    assert all(r['masks_equal']) and len(r['masks_equal']) == r['updates'] > 3, r
    assert r['weights_equal'], r
    assert abs(r['sparsity'] - 0.85) <= 0.01, r
