"""Malformed inputs thrown at the public API (issue 12): one policy for every check.

Each case is a valid call of a public entry point with ONE argument replaced by a value hypothesis draws: a wrong type,
NaN/inf, a negative, zero or huge number, a bool for a number, an odd string, a wrong shape or dtype, an empty or `meta`
tensor. Each argument has a *kind* that says which values are valid, so the test knows what to expect:

- a value the kind refuses must raise a `TypeError` or `ValueError` whose message names the argument;
- a value it accepts must give a result, or a `TypeError`/`ValueError` that names some argument (a valid value can
  still clash with the others, e.g. `start > end`);
- never another exception, a crash or a hang (every call runs under an alarm).
"""
import inspect, math, numbers, re, signal, warnings
import numpy as np
import pytest, torch, torch.nn as nn
from hypothesis import given, settings, HealthCheck, strategies as st

from sparse_nets import formats, kernels, depthwise, layers, plan, schedules, pruning, criteria, dst, edgepopup, models, data

NAN, INF = float('nan'), float('inf')
# every scalar-ish value a caller might pass by mistake (and some valid ones)
SCALARS = [None, True, False, np.bool_(True), 0, 1, 2, 3, 7, -1, -7, 10**30, -10**30, np.int64(3), np.int64(-2), np.uint8(4),
           0.0, -0.0, 0.5, 0.999, 1.0, 1.5, -0.5, 2.5, 1e-300, 1e308, NAN, INF, -INF, np.float32(0.25), np.float64(NAN),
           'x', '', ' ', '0.5', '[', '(4, 1)', 'relu', 'weight', b'1', 1 + 2j, [], [1], [1, 2], (4, 1), (4, 1.5), (0, 1), (1, 2, 3),
           (True, 1), {}, {'a': 1}, object(), torch.tensor(0.5), torch.tensor([1, 2]), np.array([4, 1])]
HUGE = 10**6   # numbers at or above it are "huge": a size argument must refuse them; valid sizes are offered only while small (a big model takes seconds)

def _real(v): return isinstance(v, numbers.Real) and not isinstance(v, (bool, np.bool_))
def _int(v): return isinstance(v, numbers.Integral) and not isinstance(v, (bool, np.bool_))
def _fin(v): return _real(v) and math.isfinite(v)
def _pair(v, lo=1): return isinstance(v, (tuple, list, np.ndarray)) and len(v) == 2 and all(_int(x) and x >= lo for x in v)

# kind -> (is the value valid?, is it offered?) ; offered=False keeps huge sizes and slow values out
KINDS = {
    'sparsity':  (lambda v: _fin(v) and 0 <= v < 1, None),
    'frac':      (lambda v: _fin(v) and 0 <= v <= 1, None),
    'k':         (lambda v: _fin(v) and 0 < v <= 1, None),
    'open01':    (lambda v: _fin(v) and 0 < v < 1, None),
    'pos_real':  (lambda v: _fin(v) and v > 0, lambda v: not (_real(v) and abs(v) > 8)),
    'width':     (lambda v: _fin(v) and 0 < v <= 64, lambda v: not (_real(v) and 1.5 < abs(v) < HUGE)),   # a model's width multiplier: wider ones take seconds to build
    'nonneg_real': (lambda v: _fin(v) and v >= 0, None),
    'sdims':     (lambda v: _int(v) and 1 <= v <= 3, None),
    'pos_int':   (lambda v: _int(v) and v >= 1, None),
    'nonneg_int': (lambda v: _int(v) and v >= 0, None),
    'size':      (lambda v: _int(v) and 1 <= v <= 2**16, lambda v: not (_real(v) and 64 <= abs(v) < HUGE)),   # huge sizes: refused
    'small_count': (lambda v: _int(v) and 0 <= v <= 2**16, lambda v: not (_real(v) and 8 <= abs(v) < HUGE)),
    'count':     (lambda v: _int(v) and v >= 0, lambda v: not (_real(v) and abs(v) >= HUGE)),
    'pos_count': (lambda v: _int(v) and v >= 1, lambda v: not (_real(v) and abs(v) >= HUGE)),
    'seed':      (lambda v: _int(v) and v >= 0, lambda v: not (_real(v) and abs(v) > 2**32)),
    'bool':      (lambda v: isinstance(v, (bool, np.bool_)), None),
    'block':     (lambda v: v is None or _pair(v), lambda v: not (_pair(v) and max(v) > 64)),
    'pair':      (lambda v: _pair(v), lambda v: not (_pair(v) and max(v) > 64)),
    'in_size':   (lambda v: (_pair(v) and max(v) <= 2**16) or (_int(v) and 1 <= v <= 2**16), lambda v: not (_real(v) and 64 < abs(v) < HUGE) and not (_pair(v) and max(v) > 64)),
    'act':       (lambda v: v is None or (isinstance(v, str) and v.lower() in ('relu', 'relu6')), None),
    'threads':   (lambda v: v is None or (_int(v) and 1 <= v <= __import__('numba').config.NUMBA_NUM_THREADS), None),
    'names':     (lambda v: v is None or isinstance(v, str) or (isinstance(v, (list, tuple)) and all(isinstance(x, str) for x in v)), None),
    'pcts':      (lambda v: (_fin(v) and 0 <= v <= 1) or (isinstance(v, (list, tuple, np.ndarray)) and np.asarray(v).dtype.kind in 'fiu'
                                                    and bool(np.all((np.asarray(v) >= 0) & (np.asarray(v) <= 1)))), None),
    'power':     (lambda v: _fin(v) and 0 <= v, None),   # a huge power is valid but over- or underflows: a ValueError naming it
    'granularity': (lambda v: (isinstance(v, str) and v in ('weight', 'filter', 'channel', '2:3')) or _pair(v), lambda v: not (_pair(v) and max(v) > 64)),
    'regex':     (lambda v: v is None or (isinstance(v, str) and _compiles(v)), lambda v: not callable(v)),
    'shapes':    (lambda v: isinstance(v, (list, tuple)) and len(v) > 0 and all(isinstance(s, (list, tuple)) and len(s) > 0 and all(_int(d) and d >= 1 for d in s) for s in v), None),
}
def choice(*opts): return (lambda v: any(v is o or (type(v) is type(o) and v == o) for o in opts), None)
def _compiles(s):
    try: re.compile(s); return True
    except re.error: return False

def _named(msg, name):
    "Does the message name the argument: in backticks (`w`, `weights[0]`), or as a word?"
    return re.search(rf'`{re.escape(name)}[`\[]', msg) is not None or re.search(rf'(?<![\w`]){re.escape(name)}(?![\w])', msg) is not None

class Hang(Exception): pass
def _alarm(*_): raise Hang()

def run_case(f, args, kwargs, name, value, valid):
    "Call `f` with `kwargs[name] = value`; check the outcome against the policy."
    kw = {**kwargs, name: value}
    old = signal.signal(signal.SIGALRM, _alarm); signal.alarm(120)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter('ignore')
            with torch.no_grad(): f(*args, **kw)
    except (TypeError, ValueError) as e:
        msg = str(e)
        if not valid: assert _named(msg, name), f"{f.__qualname__}({name}={value!r}): {type(e).__name__} does not name `{name}`: {msg}"
        else:
            try: params = list(inspect.signature(f).parameters)
            except (TypeError, ValueError): params = []
            assert any(_named(msg, a) for a in [*kw, *params]), f"{f.__qualname__}({name}={value!r}) is valid but: {msg}"
    except Hang: pytest.fail(f"{f.__qualname__}({name}={value!r}) hangs")
    except Exception as e:
        pytest.fail(f"{f.__qualname__}({name}={value!r}) raised {type(e).__name__}: {e}")
    else:
        assert valid, f"{f.__qualname__}({name}={value!r}) accepted an invalid value"
    finally:
        signal.alarm(0); signal.signal(signal.SIGALRM, old)

# --- tensors and arrays: a strategy of (value, is it a real-float finite torch/numpy array of an accepted shape?) ---
DTYPES = [torch.float32, torch.float64, torch.float16, torch.int64, torch.bool, torch.complex64]

@st.composite
def arrays(draw, ndims=(2,), finite=True, numpy_ok=True, list_ok=False, floating=True, empty_ok=False, none_ok=False, conv1x1=False):
    "A tensor, array, list, meta tensor, string or None, and whether the argument's `ndims`/dtype/finite rules accept it"
    ndim = draw(st.sampled_from([0, 1, 2, 3, 4]))
    shape = tuple(draw(st.lists(st.sampled_from([0, 1, 2, 3, 5]), min_size=ndim, max_size=ndim)))
    dtype = draw(st.sampled_from(DTYPES))
    t = (torch.randn(shape) * 3).to(dtype) if dtype not in (torch.bool,) else torch.rand(shape) > 0.5
    bad = draw(st.sampled_from([None, None, NAN, INF, -INF]))
    if not (t.numel() and t.is_floating_point()): bad = None
    if bad is not None: t.view(-1)[0] = bad
    box = draw(st.sampled_from(['torch', 'torch', 'numpy', 'meta', 'list', 'str', 'none']))
    v = {'torch': t, 'numpy': t.numpy(), 'meta': t.to('meta'), 'list': t.tolist(),
         'str': 'weights', 'none': None}[box]
    boxes = ('torch',) + (('numpy',) if numpy_ok else ()) + (('list',) if list_ok and t.ndim > 0 else ())
    ok = (box in boxes and (not floating or t.is_floating_point())
          and (t.ndim in ndims or (conv1x1 and t.ndim in (3, 4) and all(d == 1 for d in t.shape[2:]))) and (empty_ok or t.numel() > 0) and (not finite or bad is None or not t.is_floating_point()))
    return v, ok or (none_ok and box == 'none')

# --- the cases: (id, callable, positional args, valid kwargs, {argument: kind}, [arguments drawn from `arrays`]) ---
def _conv(): return layers.SparseConv1x1.from_conv(pruned(nn.Conv2d(8, 4, 1)))
def pruned(m, s=0.7):
    with torch.no_grad(): m.weight[m.weight.abs() < m.weight.abs().flatten().quantile(s)] = 0
    return m
def tiny(): return nn.Sequential(nn.Conv2d(3, 8, 3), nn.ReLU(), pruned(nn.Conv2d(8, 8, 1)), nn.ReLU(), nn.Conv2d(8, 8, 1),
                                 nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Linear(8, 4)).eval()
def tiny_dw(): return nn.Sequential(nn.Conv2d(3, 8, 3), nn.ReLU(), nn.Conv2d(8, 8, 3, padding=1, groups=8), nn.Conv2d(8, 4, 1)).eval()
W = torch.randn(8, 6)
SUB = edgepopup.to_subnet(nn.Sequential(nn.Linear(6, 5), nn.ReLU(), nn.Linear(5, 3)), k=0.5)
def sched_call(pct): return schedules.cubic(0.5)(pct)
def at_step(step, total_steps): return schedules.cubic(0.5, start=0.2).at_step(step, total_steps)
def subnet_fwd(x): return edgepopup.SubnetLinear(5, 3)(x)
def sparse_lin_fwd(x): return layers.SparseLinear.from_linear(pruned(nn.Linear(5, 3)))(x)
def spmm_x(X, act=None, threads=None): return kernels.spmm(formats.CSR.from_dense(pruned(nn.Linear(5, 3)).weight), X, act=act, threads=threads)
def dw(X, stride=1, act=None): return depthwise.dwconv3x3(X, np.ones((2, 3, 3), np.float32), stride=stride, act=act)

CASES = [
    ('formats.CSR.from_dense', formats.CSR.from_dense, (), {}, {}, {'w': dict(ndims=(2,), list_ok=True, conv1x1=True)}),
    ('formats.BlockCSR.from_dense', formats.BlockCSR.from_dense, (pruned(nn.Linear(8, 8)).weight,), {'partial': 'keep'},
     {'block': 'pair', 'partial': choice('keep', 'error')}, {}),
    ('formats.CSR', formats.CSR, ([0, 1, 1], [0], [1.]), {'shape': (2, 3)}, {'shape': 'pair'}, {}),
    ('kernels.spmm', spmm_x, (), {'X': np.ones((5, 4), np.float32)}, {'act': 'act', 'threads': 'threads'}, {}),
    ('depthwise.dwconv3x3', dw, (np.ones((2, 6, 6), np.float32),), {}, {'stride': choice(1, 2), 'act': 'act'}, {}),
    ('layers.compress', layers.compress, (), {'w': W}, {'block': 'block'}, {'w': dict(ndims=(2,), list_ok=True, conv1x1=True)}),
    ('layers.SparseConv1x1.from_conv', layers.SparseConv1x1.from_conv, (pruned(nn.Conv2d(8, 4, 1)),), {},
     {'block': 'block', 'act': 'act', 'threads': 'threads'}, {}),
    ('layers.fold_bn', layers.fold_bn, (), {'weight': torch.randn(4, 3, 1, 1), 'bias': None, 'bn': nn.BatchNorm2d(4).eval()}, {}, {'weight': dict(ndims=(2, 3, 4), numpy_ok=False, finite=False, empty_ok=True)}),
    ('layers.SparseConv1x1', layers.SparseConv1x1, (formats.CSR.from_dense(pruned(nn.Linear(4, 3)).weight),), {},
     {'act': 'act', 'spatial_dims': 'sdims', 'threads': 'threads'}, {'bias': dict(ndims=(1,), finite=False, none_ok=True)}),
    ('layers.SparseConv1x1.forward', lambda x: _conv()(x), (), {}, {}, {'x': dict(ndims=(3, 4), numpy_ok=False, finite=False)}),
    ('layers.SparseLinear.forward', sparse_lin_fwd, (), {}, {}, {'x': dict(ndims=(1, 2, 3, 4), numpy_ok=False, finite=False)}),
    ('layers.to_sparse', layers.to_sparse, (tiny(),), {'plan': False},
     {'min_sparsity': 'frac', 'block': 'block', 'fold_bn': 'bool', 'fuse_act': 'bool', 'exclude': 'names', 'threads': 'threads'}, {}),
    ('plan.compile_plan', plan.compile_plan, (tiny(),), {'dense_if_faster': False, 'input_size': (3, 6, 6)},
     {'block': 'block', 'min_sparsity': 'frac'}, {}),
    ('schedules.cubic', schedules.cubic, (), {'final_sparsity': 0.5, 'end': 1.0},
     {'final_sparsity': 'sparsity', 'initial_sparsity': 'sparsity', 'start': 'frac', 'end': 'frac'}, {}),
    ('schedules.Schedule.__call__', sched_call, (), {'pct': 0.5}, {'pct': 'pcts'}, {}),
    ('schedules.Schedule.at_step', at_step, (), {'step': 3, 'total_steps': 10}, {'step': 'nonneg_int', 'total_steps': 'pos_int'}, {}),
    ('schedules.polynomial', schedules.polynomial, (0.5,), {}, {'power': 'pos_real'}, {}),
    ('schedules.iterative', schedules.iterative, (0.5,), {'n_steps': 3}, {'n_steps': 'pos_int'}, {}),
    ('schedules.PolynomialDecay', schedules.PolynomialDecay, (0., 0.5, 0), {'end_step': 100},
     {'end_step': 'nonneg_int', 'frequency': 'pos_int', 'power': 'pos_real'}, {}),
    ('schedules.held_sparsity', schedules.held_sparsity, (schedules.PolynomialDecay(0., .5, 0, 10),), {'n_steps': 20}, {'n_steps': 'count'}, {}),
    ('pruning.magnitude_masks', pruning.magnitude_masks, (), {'weights': [W], 'sparsity': 0.5},
     {'sparsity': 'sparsity', 'scope': choice('local', 'global'), 'granularity': 'granularity',
      'norm': choice('l1', 'l2'), 'partial': choice('keep', 'error')}, {}),
    ('pruning.magnitude_masks[weights]', lambda weights, **k: pruning.magnitude_masks([weights], 0.5), (), {}, {}, {'weights': dict(ndims=(0, 1, 2, 3, 4), numpy_ok=False, empty_ok=True)}),
    ('pruning.magnitude_masks(bare)', pruning.magnitude_masks, (), {'sparsity': 0.5}, {}, {'weights': dict(ndims=(), numpy_ok=False)}),
    ('pruning.prunable_layers', pruning.prunable_layers, (tiny(),), {'skip_first': False},
     {'name_filter': 'regex', 'skip_first': 'bool', 'skip_last': 'bool', 'skip_depthwise': 'bool'}, {}),
    ('pruning.normalize_granularity', pruning.normalize_granularity, (), {}, {'granularity': 'granularity'}, {}),
    ('pruning.Sparsifier', pruning.Sparsifier, (tiny(),), {}, {'scope': choice('local', 'global'), 'norm': choice('l1', 'l2')}, {}),
    ('pruning.SparsifyCallback', pruning.SparsifyCallback, (), {'sparsity': 0.5},
     {'sparsity': 'sparsity', 'start': 'frac', 'end': 'frac', 'initial_sparsity': 'sparsity'}, {}),
    ('pruning.imp_sparsities', pruning.imp_sparsities, (), {'sparsity': 0.5, 'rounds': 3}, {'sparsity': 'sparsity', 'rounds': 'pos_count'}, {}),
    ('criteria.get_criterion', criteria.get_criterion, (), {}, {'criterion': choice(*criteria.CRITERIA)}, {}),
    ('dst.erk_densities', dst.erk_densities, (), {'shapes': [(8, 6), (4, 8, 3, 3)], 'density': 0.5}, {'shapes': 'shapes', 'density': 'k', 'power': 'power'}, {}),
    ('dst.update_fraction', dst.update_fraction, (), {'step': 3, 'end_step': 10}, {'step': 'nonneg_int', 'alpha': 'frac'}, {}),
    ('dst.random_mask', dst.random_mask, ((4, 5),), {'density': 0.5}, {'density': 'k'}, {}),
    ('dst.RigLCallback', dst.RigLCallback, (), {'sparsity': 0.5}, {'sparsity': 'sparsity', 'delta': 'pos_int', 'alpha': 'frac', 'end': 'frac', 'seed': 'seed'}, {}),
    ('edgepopup.topk_mask', edgepopup.topk_mask, (), {'scores': torch.randn(10), 'k': 0.5}, {'k': 'k'}, {'scores': dict(ndims=(0, 1, 2, 3, 4), numpy_ok=False, finite=False, empty_ok=True)}),
    ('edgepopup.n_kept', edgepopup.n_kept, (), {'n': 10, 'k': 0.5}, {'n': 'nonneg_int', 'k': 'k'}, {}),
    ('edgepopup.init_std', edgepopup.init_std, (), {'w': torch.empty(4, 3)}, {'k': 'k', 'scale_fan': 'bool', 'mode': choice('fan_in', 'fan_out')}, {}),
    ('edgepopup.to_subnet', edgepopup.to_subnet, (nn.Sequential(nn.Linear(6, 5), nn.ReLU(), nn.Linear(5, 3)),), {},
     {'k': 'k', 'mode': choice('edgepopup', 'supermask'), 'init': choice('signed_constant', 'unsigned_constant', 'kaiming_normal', 'kaiming_uniform', None),
      'scale_fan': 'bool', 'first_dense': 'bool', 'last_dense': 'bool', 'bias': 'bool', 'bn_affine': 'bool'}, {}),
    ('edgepopup.SubnetLinear', edgepopup.SubnetLinear, (5, 3), {}, {'k': 'k', 'mode': choice('edgepopup', 'supermask'), 'scale_fan': 'bool'}, {}),
    ('edgepopup.SubnetLinear.forward', subnet_fwd, (), {}, {}, {'x': dict(ndims=(1, 2, 3, 4), numpy_ok=False, finite=False)}),
    ('edgepopup.set_k', edgepopup.set_k, (SUB,), {'k': 0.5}, {'k': 'k'}, {}),
    ('edgepopup.freeze', edgepopup.freeze, (SUB,), {}, {'bn': 'bool', 'bias': 'bool', 'dense': 'bool'}, {}),
    ('models.conv_net', models.conv_net, (1,), {'in_chans': 1, 'in_size': 8, 'width': 0.25},
     {'in_chans': 'size', 'n_classes': 'size', 'in_size': 'in_size', 'width': 'width', 'hidden': 'size', 'bias': 'bool'}, {}),
    ('models.conv2', models.conv2, (), {'in_size': 8, 'width': 0.25}, {'width': 'width'}, {}),
    ('models.mobilenet_v1', models.mobilenet_v1, (), {'n_classes': 10, 'width': 0.25}, {'width': 'width', 'dropout': 'sparsity', 'n_classes': 'size'}, {}),
    ('models.mobilenet_v2', models.mobilenet_v2, (), {'n_classes': 10, 'width': 0.25}, {'width': 'width', 'dropout': 'sparsity', 'in_chans': 'size'}, {}),
    ('models.cnn1d', models.cnn1d, (), {}, {'seq_len': 'size', 'pointwise': 'small_count', 'bn': 'bool', 'width': 'width'}, {}),
    ('models.mlp', models.mlp, (), {}, {'depth': 'small_count', 'hidden': 'size', 'width': 'width'}, {}),
    ('models.mobilenet1d', models.mobilenet1d, (), {'width': 0.25}, {'stem': 'size', 'stem_stride': 'size', 'dropout': 'sparsity', 'blocks': choice(((16, 1),), [(16, 2), (8, 1)])}, {}),
    ('models.make_divisible', models.make_divisible, (), {'v': 20.}, {'v': 'nonneg_real', 'divisor': 'pos_int'}, {}),
    ('models.n_params', models.n_params, (), {'model': nn.Linear(3, 2)}, {'model': choice(), 'trainable_only': 'bool'}, {}),
    ('models.pointwise_shapes', models.pointwise_shapes, (tiny(),), {'input_size': (3, 6, 6)}, {'input_size': choice((3, 6, 6), [3, 8, 8], (3, 7, 5))}, {}),
    ('models.depthwise_shapes', models.depthwise_shapes, (tiny_dw(),), {'input_size': (3, 6, 6)}, {'input_size': choice((3, 6, 6), [3, 8, 8], (3, 7, 5))}, {}),
    ('data.tensor_dls', data.tensor_dls, (np.zeros((6, 3), np.float32), np.arange(6) % 2, np.zeros((4, 3), np.float32), np.arange(4) % 2), {},
     {'bs': 'pos_count', 'seed': 'seed'}, {}),
    ('data.digits_dls', data.digits_dls, (), {}, {'valid_pct': 'open01', 'seed': 'seed', 'as_images': 'bool', 'bs': 'pos_count'}, {}),
]

def _offered(kind):
    ok, offer = KINDS[kind] if isinstance(kind, str) else kind
    return ok, [v for v in SCALARS if offer is None or offer(v)]

@pytest.mark.parametrize('case', CASES, ids=[c[0] for c in CASES])
@settings(max_examples=25, deadline=None, suppress_health_check=list(HealthCheck), derandomize=True)
@given(data_=st.data())
def test_bad_inputs(case, data_):
    _, f, args, kwargs, kinds, arrs = case
    names = list(kinds) + list(arrs)
    name = data_.draw(st.sampled_from(names), label='argument')
    if name in arrs: value, valid = data_.draw(arrays(**arrs[name]), label='value')
    else:
        ok, pool = _offered(kinds[name])
        value = data_.draw(st.sampled_from(pool), label='value')
        valid = ok(value)
    run_case(f, args, kwargs, name, value, valid)
