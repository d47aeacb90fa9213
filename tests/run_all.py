#!/usr/bin/env python3
"""Run every test of the suite through unittest and print one summary line.

    .venv/bin/python tests/run_all.py [-v] [-x]

Runs, in this order:
* `trytond.modules.<addon>.tests.test_*` of every addons/<addon>/tests/
  (unittest honours `load_tests`, so the scenario_*.rst doctests run too),
* the cross-module tests tests/test_*.py of the repository.

Selection through the environment (the Makefile passes them on):
* ADDONS="pm_estate pm_customer" runs only these addons' tests; add the word
  `tests` to run the top-level tests too (ADDONS=tests runs only those).
* TESTS="pattern ..." keeps the tests whose id contains a pattern, or matches
  it as a shell pattern (`*scenario*`), like `unittest -k`.

The test modules are shared among JOBS processes (default 2, the cores of
the CI machine; JOBS=1 runs them in this process), each with a database
cache of its own under DB_CACHE.

Defaults: TRYTOND_DATABASE_URI=sqlite://, DB_NAME=:memory:,
DB_CACHE=var/dbcache (a folder of cached databases per state of the addons). The last line is `N passed, N failed, N skipped`; the
exit code is 1 when a test failed or errored, or when no test ran.
"""
import argparse
import fnmatch
import hashlib
import os
import shutil
import sys
import time
import unittest
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def addons_hash():
    """Hash of what ends up in a database: the addons' code, XML, views and
    translations, and the trytond version (not the tests)"""
    digest = hashlib.sha1()
    for path in sorted((ROOT / 'addons').glob('**/*')):
        rel = path.relative_to(ROOT / 'addons')
        if (not path.is_file() or '__pycache__' in rel.parts
                or (len(rel.parts) > 1 and rel.parts[1] == 'tests')
                or path.suffix not in {
                    '.py', '.xml', '.cfg', '.po', '.fodt', '.odt'}):
            continue
        digest.update(str(rel).encode() + b'\0' + path.read_bytes())
    try:
        from importlib.metadata import version
        digest.update(version('trytond').encode())
    except Exception:
        pass
    return digest.hexdigest()[:16]


def setup_db_cache(base, keep=3):
    """trytond keys its cached databases by module names only: a cache made
    before an addon changed would be restored with the old schema. Use one
    sub-folder per state of the addons and keep the latest few."""
    base = Path(base)
    cache = base / addons_hash()
    cache.mkdir(parents=True, exist_ok=True)
    cache.touch()
    others = sorted((p for p in base.iterdir() if p.is_dir() and p != cache),
        key=lambda p: p.stat().st_mtime, reverse=True)
    for old in others[keep - 1:]:
        shutil.rmtree(old, ignore_errors=True)
    return str(cache)


os.environ.setdefault('TRYTOND_DATABASE_URI', 'sqlite://')
os.environ.setdefault('DB_NAME', ':memory:')
os.environ.setdefault('DB_CACHE', str(ROOT / 'var' / 'dbcache'))
if (not os.environ['DB_CACHE'].startswith('postgresql:')
        and not os.environ.get('PM_RUN_ALL_WORKER')):
    if not os.path.isabs(os.environ['DB_CACHE']):
        os.environ['DB_CACHE'] = str(ROOT / os.environ['DB_CACHE'])
    os.environ['DB_CACHE'] = setup_db_cache(os.environ['DB_CACHE'])
# tests build their own configuration; never pick up a server's
os.environ.pop('TRYTOND_CONFIG', None)


def split(value):
    return value.replace(',', ' ').split()


def test_module_names(addons):
    names = []
    for addon in addons:
        for path in sorted((ROOT / 'addons' / addon / 'tests').glob(
                    'test_*.py')):
            names.append(f'trytond.modules.{addon}.tests.{path.stem}')
    return names


def top_level_names():
    # tests/test_*.py, then tests/production/test_*.py (PostgreSQL, nginx)
    return [p.stem for p in sorted((ROOT / 'tests').glob('test_*.py'))] + [
        f'production.{p.stem}' for p in sorted(
            (ROOT / 'tests' / 'production').glob('test_*.py'))]


def iter_tests(suite):
    for test in suite:
        if isinstance(test, unittest.TestSuite):
            yield from iter_tests(test)
        else:
            yield test


def matches(test, patterns):
    test_id = test.id()
    for pattern in patterns:
        if any(c in pattern for c in '*?['):
            if fnmatch.fnmatchcase(test_id, pattern):
                return True
        elif pattern in test_id:
            return True
    return False


class Result(unittest.TextTestResult):
    "Counts the successes too"

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.successes = 0
        self.durations = []

    def startTest(self, test):
        self._started = time.monotonic()
        super().startTest(test)

    def stopTest(self, test):
        super().stopTest(test)
        self.durations.append((time.monotonic() - self._started, test.id()))

    def addSuccess(self, test):
        super().addSuccess(test)
        self.successes += 1


class ImportFailure(unittest.TestCase):
    "Stands for a test module that cannot be imported"

    def __init__(self, name, error):
        super().__init__('runTest')
        self.name, self.error = name, error

    def id(self):
        return self.name

    def __str__(self):
        return f'{self.name} (import)'

    def runTest(self):
        raise self.error


def weight(name):
    "A rough cost of a test module, to share them among the jobs"
    if name.startswith('trytond.modules.'):
        addon = name.split('.')[2]
        return 1 + 2 * len(list(
                (ROOT / 'addons' / addon / 'tests').glob('scenario_*.rst')))
    return {'test_postgresql': 36, 'test_demo_data': 4,
        'test_browser_sao': 3, 'production.test_production': 40}.get(name, 1)


def run_parallel(names, jobs, args):
    """Run the test modules in `jobs` processes, each with a database
    cache of its own; print their outputs and the summed summary line"""
    import subprocess
    import tempfile
    groups = [[] for _ in range(jobs)]
    loads = [0] * jobs
    for name in sorted(names, key=weight, reverse=True):
        i = loads.index(min(loads))
        groups[i].append(name)
        loads[i] += weight(name)
    processes = []
    for i, group in enumerate(g for g in groups if g):
        env = dict(os.environ, PM_RUN_ALL_WORKER='1',
            PM_RUN_ALL_MODULES=' '.join(group))
        if not env['DB_CACHE'].startswith('postgresql:'):
            env['DB_CACHE'] = os.path.join(env['DB_CACHE'], f'job{i}')
            os.makedirs(env['DB_CACHE'], exist_ok=True)
        log = tempfile.TemporaryFile(mode='w+')
        command = [sys.executable, __file__]
        command += ['-v'] if args.verbose else []
        command += ['-x'] if args.failfast else []
        processes.append((group, log, subprocess.Popen(
                    command, env=env, stdout=log, stderr=subprocess.STDOUT)))
    totals = [0, 0, 0]
    code = 0
    for group, log, process in processes:
        code |= process.wait()
        log.seek(0)
        output = log.read()
        lines = output.rstrip().splitlines()
        last = lines[-1] if lines else ''
        sys.stderr.write(f"run_all: job of {', '.join(group)}\n")
        sys.stderr.write('\n'.join(lines[:-1]) + '\n')
        try:
            counts = [int(last.split()[i]) for i in (0, 2, 4)]
        except (ValueError, IndexError):
            counts = [0, 1, 0]
            sys.stderr.write(last + '\n')
        totals = [a + b for a, b in zip(totals, counts)]
    sys.stderr.flush()
    print(f'{totals[0]} passed, {totals[1]} failed, {totals[2]} skipped',
        flush=True)
    return 1 if code or totals[1] or not totals[0] else 0


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('-v', '--verbose', action='store_true')
    parser.add_argument('-x', '--failfast', action='store_true')
    parser.add_argument('-j', '--jobs', type=int,
        default=int(os.environ.get('JOBS', '0') or 0) or min(
            2, os.cpu_count() or 1),
        help="test processes (default $JOBS or 2): the addons' test modules "
        "are shared among them, each with a database cache of its own")
    args = parser.parse_args(argv)

    all_addons = sorted(
        p.parent.name for p in (ROOT / 'addons').glob('*/tryton.cfg'))
    selected = split(os.environ.get('ADDONS', ''))
    if selected:
        unknown = set(selected) - set(all_addons) - {'tests'}
        if unknown:
            print(f"run_all: no such addon: {', '.join(sorted(unknown))}",
                file=sys.stderr)
            print('0 passed, 1 failed, 0 skipped')
            return 1
        addons = [a for a in all_addons if a in selected]
        top_level = 'tests' in selected
    else:
        addons, top_level = all_addons, True

    sys.path.insert(0, str(ROOT / 'tests'))
    sys.path.insert(0, str(ROOT))
    loader = unittest.TestLoader()
    suite = unittest.TestSuite()
    names = test_module_names(addons)
    if top_level:
        names += top_level_names()
    if os.environ.get('PM_RUN_ALL_MODULES'):
        names = split(os.environ['PM_RUN_ALL_MODULES'])
    elif args.jobs > 1 and len(names) > 1:
        return run_parallel(names, args.jobs, args)
    for name in names:
        try:
            suite.addTests(loader.loadTestsFromName(name))
        except Exception as exception:
            # a module that cannot be imported is one failed test
            suite.addTest(ImportFailure(name, exception))
    patterns = split(os.environ.get('TESTS', ''))
    tests = list(iter_tests(suite))
    if patterns:
        tests = [t for t in tests if matches(t, patterns)]
    suite = unittest.TestSuite(tests)

    print(f"run_all: {len(tests)} tests from {len(names)} modules "
        f"({', '.join(addons) or 'no addon'}"
        f"{' + tests/' if top_level else ''})", file=sys.stderr, flush=True)
    start = time.monotonic()
    runner = unittest.TextTestRunner(
        verbosity=2 if args.verbose else 1, failfast=args.failfast,
        resultclass=Result, stream=sys.stderr)
    result = runner.run(suite)
    failed = (len(result.failures) + len(result.errors)
        + len(result.unexpectedSuccesses))
    skipped = len(result.skipped)
    passed = result.successes + len(result.expectedFailures)
    slowest = sorted(result.durations, reverse=True)[:5]
    if slowest:
        print('run_all: slowest tests (class set-up not included):',
            file=sys.stderr)
        for duration, test_id in slowest:
            print(f'  {duration:6.1f}s  {test_id}', file=sys.stderr)
    print(f'run_all: {time.monotonic() - start:.1f}s', file=sys.stderr)
    sys.stderr.flush()
    print(f'{passed} passed, {failed} failed, {skipped} skipped', flush=True)
    if failed:
        return 1
    if result.testsRun == 0 or passed == 0:
        # a worker whose modules hold none of the TESTS patterns is fine:
        # the parent fails the run when no job ran any test
        return 0 if os.environ.get('PM_RUN_ALL_WORKER') and patterns else 1
    return 0


if __name__ == '__main__':
    sys.exit(main())
