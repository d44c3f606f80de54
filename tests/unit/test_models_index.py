"""disty.db.models names each model's module (MODULES) and imports one module when one of its
models is asked for; load_all registers every table (a model missing from MODULES would be
missing from Alembic's comparison with the database). A module loaded alone brings the tables
its foreign keys name: a flush resolves them all and fails on one not on Base.metadata."""

from __future__ import annotations

import subprocess
import sys
from types import ModuleType

from disty.db import models
from disty.db.base import Base


def test_modules_names_every_model_where_it_is_defined() -> None:
    models.load_all()
    defined = {mapper.class_.__name__: mapper.class_.__module__ for mapper in Base.registry.mappers}
    assert set(models.__all__) == {*models.MODULES, "load_all"}
    assert {name: f"disty.db.models.{module}" for name, module in models.MODULES.items()} == defined


def _loaded_with(module: ModuleType) -> set[str]:
    """The model modules importing ``module`` imports, itself included."""
    found, todo = set[str](), [module]
    while todo:
        each = todo.pop()
        if each.__name__ in found:
            continue
        found.add(each.__name__)
        for value in vars(each).values():
            name = (
                value.__name__
                if isinstance(value, ModuleType)
                else getattr(value, "__module__", "")
            )
            if name.startswith("disty.db.models.") and name in sys.modules:
                todo.append(sys.modules[name])
    return found


def test_each_module_brings_the_tables_its_foreign_keys_name() -> None:
    models.load_all()
    module_of = {m.class_.__tablename__: m.class_.__module__ for m in Base.registry.mappers}
    for module in sorted(set(module_of.values())):
        brought = _loaded_with(sys.modules[module])
        named = {
            module_of[fk.column.table.name]
            for table, owner in module_of.items()
            if owner == module
            for fk in Base.metadata.tables[table].foreign_keys
        }
        assert named <= brought, module


def test_a_model_loads_its_own_module_only() -> None:
    probe = (
        "import sys\n"
        "from disty.db.models import Tenant\n"
        "print(sorted(m for m in sys.modules if m.startswith('disty.db.models.')))\n"
    )
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "['disty.db.models.tenants']"
