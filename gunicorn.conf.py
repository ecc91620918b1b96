"""gunicorn's settings for newsearch, read from the working directory
(gunicorn loads ``./gunicorn.conf.py`` by default; ``-c`` names another).

A query may be 1,000 characters, and a Chinese character is 9 bytes in a
URL: gunicorn's default request line of 4,094 bytes would refuse a long
``GET /api/search?q=…`` (or the page's ``/?q=…``) with an HTML 414 before
the app could answer.  gunicorn caps a set limit at 8,190 bytes, still too
short (1,000 × 9 = 9,000), so the limit is lifted (``0``: gunicorn then
stops at 1 MB itself); the app refuses a ``q`` past its own limit with a
JSON 400.
"""

limit_request_line = 0
