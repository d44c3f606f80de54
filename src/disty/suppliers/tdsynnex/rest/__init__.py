"""TD SYNNEX's Partner REST API (JSON, OAuth2; NOTES 8): so far only its token, for Run Test."""
