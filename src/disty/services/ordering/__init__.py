"""Purchase orders that are never placed twice, followed to shipment and invoice.

Private modules, the public names re-exported here (``from disty.services import ordering``):

- ``_submit``: saving a PO and sending it (``submit``, ``place``; a draft or an interrupted
  send taken up again: ``send_draft``, ``resume``, ``send_or_resume``);
- ``_prices``: the price check before anything is sent, and the worker's retries of it;
- ``_outbox``: sending a ``submitting`` PO at most once (``dispatch``: claim, lease, search
  before sending again);
- ``_tracking``: reading a placed PO's orders from the supplier, and finding the order of one
  accepted with a confirmation number (``settle_accepted``, ``refuse_accepted``);
- ``_merge``: the pure merge of what the supplier says into the PO (no I/O);
- ``_refresh``: bringing one PO, or every open one, up to date (polling and webhooks);
- ``_actions``: a person's actions on a PO (``act``, ``approve``, ``release``, ``cancel``,
  ``modify``);
- ``_common``: what they share (``Context``, the PO's timeline);
- ``disty.services.po_lookup``: finding POs (``find_po``, ``list_pos``), outside the package so
  that reading a PO needs none of the above.
"""

from disty.services.ordering._actions import (
    Action,
    Modification,
    act,
    approve,
    cancel,
    modify,
    release,
)
from disty.services.ordering._common import Context
from disty.services.ordering._merge import apply_states
from disty.services.ordering._outbox import dispatch
from disty.services.ordering._prices import retry_price_checks
from disty.services.ordering._refresh import (
    due_ids,
    refresh,
    refresh_one,
    refresh_open,
    resumable_ids,
)
from disty.services.ordering._submit import (
    LineInput,
    place,
    resume,
    send_draft,
    send_or_resume,
    submit,
)
from disty.services.ordering._tracking import refuse_accepted, settle_accepted
from disty.services.po_lookup import find_po, list_pos

__all__ = [
    "Action",
    "Context",
    "LineInput",
    "Modification",
    "act",
    "apply_states",
    "approve",
    "cancel",
    "dispatch",
    "due_ids",
    "find_po",
    "list_pos",
    "modify",
    "place",
    "refresh",
    "refresh_one",
    "refresh_open",
    "refuse_accepted",
    "release",
    "resumable_ids",
    "resume",
    "retry_price_checks",
    "send_draft",
    "send_or_resume",
    "settle_accepted",
    "submit",
]
