"""disty.db.models names each model's module (MODULES) and imports one module when one of its
models is asked for; load_all registers every table (a model missing from MODULES would be
missing from Alembic's comparison with the database). A module names the modules of the tables
its foreign keys name (REFERENCES), loaded before a flush, which resolves them all and fails on
one not on Base.metadata; a read loads none of them."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from sqlalchemy import create_engine

from disty.db import models
from disty.db.base import Base


def test_modules_names_every_model_where_it_is_defined() -> None:
    models.load_all()
    defined = {mapper.class_.__name__: mapper.class_.__module__ for mapper in Base.registry.mappers}
    assert set(models.__all__) == {*models.MODULES, "load_all", "load_referenced"}
    assert {name: f"disty.db.models.{module}" for name, module in models.MODULES.items()} == defined


def test_each_module_names_the_modules_of_the_tables_its_foreign_keys_name() -> None:
    models.load_all()
    module_of = {m.class_.__tablename__: m.class_.__module__ for m in Base.registry.mappers}
    for module in sorted(set(module_of.values())):
        named = {
            module_of[fk.column.table.name].removeprefix("disty.db.models.")
            for table, owner in module_of.items()
            if owner == module
            for fk in Base.metadata.tables[table].foreign_keys
        }
        own = module.removeprefix("disty.db.models.")
        assert named - {own} == set(getattr(sys.modules[module], "REFERENCES", ())), module


def test_a_flush_loads_the_tables_a_model_module_left_out(tmp_path: Path) -> None:
    # A fresh interpreter that maps the POs' models alone, as `disty order show` does, then
    # saves a PO: the flush sorts its rows by foreign keys naming the tenants', connections'
    # and requisitions' tables, which it loads first (db/base.py's before_flush listener).
    url = f"sqlite:///{tmp_path / 'flush.db'}"
    models.load_all()
    engine = create_engine(url)
    Base.metadata.create_all(engine)
    engine.dispose()
    probe = (
        "import sys\n"
        "from sqlalchemy import create_engine\n"
        "from sqlalchemy.orm import Session\n"
        "from disty.db.models import POLine, PurchaseOrder\n"
        "loaded = lambda: sorted(m for m in sys.modules if m.startswith('disty.db.models.'))\n"
        "print(loaded())\n"
        "with Session(create_engine(sys.argv[1])) as session:\n"
        "    po = PurchaseOrder(tenant_id=1, connection_id=1, supplier='ingram', country_id=1,\n"
        "                       po_number='PO-1', status='draft', ship_to={})\n"
        "    po.lines.append(POLine(line_number=1, sku='123512', quantity=2))\n"
        "    session.add(po)\n"
        "    session.commit()\n"
        "print(loaded())\n"
    )
    done = subprocess.run([sys.executable, "-c", probe, url], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines() == [
        "['disty.db.models.orders']",
        "['disty.db.models.connections', 'disty.db.models.orders', "
        "'disty.db.models.requisitions', 'disty.db.models.tenants']",
    ]


def test_a_model_loads_its_own_module_only() -> None:
    probe = (
        "import sys\n"
        "from disty.db.models import Tenant\n"
        "print(sorted(m for m in sys.modules if m.startswith('disty.db.models.')))\n"
    )
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "['disty.db.models.tenants']"
