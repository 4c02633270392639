"""What every page of the web app shares: who is signed in, CSRF protection, the page language,
rendering with the common headers, and the HTML error pages."""
