"""Server-rendered pages for journalists: the same query functions as the API, as HTML."""
