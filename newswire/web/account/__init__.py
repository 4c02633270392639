"""Accounts in the browser: sign-in and sign-out, password reset and invitations by e-mail,
the account page (language, password, personal API keys) and the people of an issuer or wire."""
