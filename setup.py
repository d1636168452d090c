"""Build hook: copy data/ and notebooks/ into the wheel so an installed package finds them."""

import shutil
from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py

HERE = Path(__file__).resolve().parent


class BuildPyWithData(build_py):
    """Build the package, then bundle the shipped data and notebook templates."""

    def run(self):
        """Copy data/ and notebooks/ under luoshi_analysis/bundled in the build tree."""
        super().run()
        bundled = Path(self.build_lib) / "luoshi_analysis" / "bundled"
        for name in ("data", "notebooks"):
            source = HERE / name
            if source.is_dir():
                shutil.copytree(source, bundled / name, dirs_exist_ok=True,
                                ignore=shutil.ignore_patterns(".ipynb_checkpoints", "__pycache__",
                                                             "scratch"))


setup(cmdclass={"build_py": BuildPyWithData})
