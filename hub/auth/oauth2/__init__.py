"""OAuth 2.0 authorization server for partners: authlib's protocol engine behind a thin Starlette adapter."""
