"""What the /v1 API and the web pages share: problem answers, dependencies, query parameters,
keys and the guard. Both packages import it; it imports neither."""
