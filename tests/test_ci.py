"""The GitHub workflows and `.ci/run`, checked here because GitHub cannot be run here: the workflows parse, use nbdev 3
(hyphenated commands, `pyproject.toml`, the nbdev3 actions) and never nbdev 2's (`nbdev_test`, `settings.ini`,
`nbdev-ci`/`quarto-ghp`), install the CPU build of PyTorch, deploy the docs with `nbdev-docs`; `.ci/run` runs the
README's two commands; the Quarto config references only files that exist."""
import re, subprocess
from importlib.metadata import entry_points
import pytest, yaml
from conftest import ROOT, NBS

WORKFLOWS = sorted((ROOT/'.github'/'workflows').glob('*.y*ml'))
CPU_INDEX = 'https://download.pytorch.org/whl/cpu'
ACTIONS = re.compile(r'^(actions/(checkout|setup-python)|AnswerDotAI/workflows/(nbdev3-ci|quarto-ghp3)|peaceiris/actions-gh-pages)@[\w.\-]+$')

def _load(p):
    wf = yaml.safe_load(p.read_text())
    if True in wf: wf['on'] = wf.pop(True)          # YAML 1.1 reads the key `on` as a boolean
    return wf

def _steps(wf): return [(name, s) for name, job in wf['jobs'].items() for s in job['steps']]

def _runs(wf): return '\n'.join(s.get('run', '') for _, s in _steps(wf))

def test_workflows_parse_and_are_complete():
    assert {p.stem for p in WORKFLOWS} >= {'test', 'deploy'}, f"workflows: {[p.name for p in WORKFLOWS]}"
    for p in WORKFLOWS:
        wf = _load(p)
        assert wf.get('name') and wf.get('on') and wf.get('jobs'), f"{p.name}: needs name, on and jobs"
        for name, job in wf['jobs'].items():
            assert job.get('runs-on'), f"{p.name}: job {name} has no runs-on"
            assert isinstance(job.get('steps'), list) and job['steps'], f"{p.name}: job {name} has no steps"
            for s in job['steps']:
                assert ('uses' in s) != ('run' in s), f"{p.name}: job {name}: a step needs exactly one of uses/run: {s}"
                if 'uses' in s: assert ACTIONS.match(s['uses']), f"{p.name}: unexpected or unpinned action {s['uses']}"
            for s in job['steps']:
                if 'run' in s: assert s['run'].strip(), f"{p.name}: empty run step"

def test_workflows_are_nbdev3():
    "No nbdev 2 commands, actions or config files: on GitHub they install nothing and fail."
    nbdev_cmds = {ep.name for ep in entry_points(group='console_scripts') if ep.name.startswith('nbdev')}
    assert 'nbdev-docs' in nbdev_cmds
    for p in WORKFLOWS:
        text = p.read_text()
        assert 'settings.ini' not in text and 'setup.py' not in text, f"{p.name}: nbdev 2's settings.ini/setup.py"
        old = re.findall(r'\bnbdev_[a-z_]+\b', text)
        assert not old, f"{p.name}: nbdev 2 commands {old} (nbdev 3's are hyphenated)"
        assert not re.search(r'fastai/workflows/(nbdev-ci|quarto-ghp)@', text), f"{p.name}: nbdev 2 actions"
        for cmd in re.findall(r'\b(nbdev-[a-z-]+)', _runs(_load(p))):
            assert cmd in nbdev_cmds, f"{p.name}: {cmd} is not an nbdev command"

def test_torch_is_the_cpu_build_on_github():
    "Every job that installs the package gets PyTorch from the CPU wheel index first."
    for p in WORKFLOWS:
        wf = _load(p)
        for name, job in wf['jobs'].items():
            runs = '\n'.join(s.get('run', '') for s in job['steps'])
            uses = [s for s in job['steps'] if 'uses' in s]
            env = {**wf.get('env', {}), **job.get('env', {})}
            if '.ci/run' in runs: assert env.get('TORCH_INDEX_URL') == CPU_INDEX, f"{p.name}/{name}: .ci/run without CPU torch"
            elif 'pip install -e' in runs:
                torch = re.search(rf'pip install[^\n]*\btorch\b[^\n]*--index-url {re.escape(CPU_INDEX)}', runs)
                assert torch and runs.index(torch.group(0)) < runs.index('pip install -e'), f"{p.name}/{name}: CUDA torch"
            for s in uses:
                if 'nbdev3-ci' in s['uses'] or 'quarto-ghp3' in s['uses']:
                    assert str(s.get('with', {}).get('torch_cpu', True)).lower() == 'true', f"{p.name}/{name}: torch_cpu off"

def test_test_workflow_runs_ci_script_and_deploy_publishes_docs():
    test, deploy = _load(ROOT/'.github/workflows/test.yaml'), _load(ROOT/'.github/workflows/deploy.yaml')
    assert 'bash .ci/run' in _runs(test)
    assert {'push', 'pull_request'} <= set(test['on'])
    assert 'nbdev-docs' in _runs(deploy) and deploy['permissions']['contents'] == 'write'
    pub = [s for _, s in _steps(deploy) if s.get('uses', '').startswith('peaceiris/actions-gh-pages')]
    assert pub and pub[0]['with']['publish_dir'] == './_docs'
    cfg = yaml.safe_load((NBS/'nbdev.yml').read_text())
    assert cfg['project']['output-dir'] == '_docs'

def test_ci_script_runs_the_readme_commands():
    ci, readme = (ROOT/'.ci'/'run').read_text(), (ROOT/'README.md').read_text()
    subprocess.run(['bash', '-n', str(ROOT/'.ci'/'run')], check=True)
    cmds = re.findall(r'```sh\n(.*?)\n```', readme, flags=re.S)
    assert cmds[:2] == ['pip install -e ".[dev]" && sparse-nets prune --quick', 'pytest -n 2 tests'], cmds[:2]
    i1, i2 = ci.index('pip install -q -e ".[dev]"'), ci.index('\npytest -n 2 tests')
    assert 'sparse-nets prune --quick' in ci[i1:i2] and i1 < i2
    assert 'apt-get install' in ci and 'chromium' in ci

def test_quarto_config_files_exist():
    "`_quarto.yml` and its metadata files reference only files that are there (Quarto fails on a missing one)."
    q = yaml.safe_load((NBS/'_quarto.yml').read_text())
    css = q['format']['html'].get('css', [])
    for f in ([css] if isinstance(css, str) else css) + q.get('metadata-files', []):
        assert (NBS/f).is_file(), f"_quarto.yml references {f}, which is not in nbs/"
