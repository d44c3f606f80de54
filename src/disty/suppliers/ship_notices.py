"""What a supplier that drops ship-notice files tells disty's file reader: its codec.

The reader (services/ship_notices.py, run by the worker) is the same for every supplier: it
looks in the folder a connection names (the setting ``setting``, a folder inside the
operator's drop root) for files matching ``pattern``, reads each with ``read``, and files it
away. The codec is the supplier's part: which setting, which names, how big a file may be, and
how its bytes become neutral ``ShipNotice``s. A file comes from outside disty: ``read`` must
refuse a hostile one (an entity bomb, a DTD) with ``UnreadableNotice`` rather than expand it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from disty.domain.ship_notices import ShipNotice


@dataclass(frozen=True)
class ShipNoticeCodec:
    setting: str  # the connection setting naming the folder (validate_drop_folder)
    pattern: str  # glob of the files' names in it, e.g. "*_856.xml"
    max_bytes: int  # a larger file is refused unread
    read: Callable[[bytes], list[ShipNotice]]  # raises UnreadableNotice
