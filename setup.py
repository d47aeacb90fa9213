"""Register every addon under addons/ as the Tryton module trytond.modules.<name>.

trytond 8.0 discovers modules outside trytond/modules/ only through the
"trytond.modules" entry-point group, so adding an addon needs nothing more
than `pip install -e .` again.
"""
from pathlib import Path

from setuptools import setup

DATA = [
    'tryton.cfg', '*.xml', 'view/*.xml', 'locale/*.po', 'locale/override/*.po',
    'icons/*.svg', '*.fodt', '*.odt', '*.html', 'tests/*.rst', 'tests/*.json',
    'data/*', 'templates/*', 'templates/**/*', 'static/*', 'static/**/*',
    ]

packages, package_dir, package_data, entry_points = [], {}, {}, []
for cfg in sorted(Path('addons').glob('*/tryton.cfg')):
    root, name = cfg.parent, cfg.parent.name
    pkg = f'trytond.modules.{name}'
    package_dir[pkg] = root.as_posix()
    package_data[pkg] = DATA
    packages.append(pkg)
    for init in sorted(root.glob('*/**/__init__.py')):
        sub = init.parent.relative_to(root).as_posix().replace('/', '.')
        packages.append(f'{pkg}.{sub}')
    entry_points.append(f'{name} = {pkg}')

setup(
    packages=packages, package_dir=package_dir, package_data=package_data,
    entry_points={'trytond.modules': entry_points})
