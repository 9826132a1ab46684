"""A collecting server on 127.0.0.1 that takes buildout reports as Whiskers
does, for the report's tests.

Whiskers (pingviini/whiskers) takes a report as POST / (and, for older
senders, POST /buildouts/add).  Until its change of 2014-01-09 it read the
form field `data` and parsed it as JSON; since then it reads the JSON body
and takes its member `data`, which refuses the form the older senders post.

    with Whiskers(api='form') as w:     # or api='json'
        ...  # a run with send-data-url = w.url
        assert w.documents == [doc]

Replies (200, text) are Whiskers': `Added buildout information to
Whiskers.`, `No data. Nothing added.` (no `data`), `Not a valid request.
Error was: E` (what is there is not JSON, or not a JSON object).

fail_first=N: the first N requests get 500 and are not read as reports.
hang=True: every request is read and never answered (until stop()).
requests lists each request: (method, path, content type).
"""

import json
import threading
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


class Whiskers:
    def __init__(self, api='form', fail_first=0, hang=False):
        assert api in ('form', 'json')
        self.api = api
        self.fail_first = fail_first
        self.hang = hang
        self.documents = []
        self.requests = []
        self.released = threading.Event()
        self.lock = threading.Lock()
        self.server = ThreadingHTTPServer(('127.0.0.1', 0), self._handler())
        self.server.daemon_threads = True
        self.url = 'http://127.0.0.1:%d' % self.server.server_address[1]
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.stop()

    def stop(self):
        self.released.set()
        self.server.shutdown()
        self.server.server_close()
        self.thread.join()

    def _parse(self, body, content_type):
        """The document, or the reply that refuses the request."""
        if self.api == 'form':
            fields = urllib.parse.parse_qs(body.decode('utf-8'), keep_blank_values=True)
            if 'data' not in fields:
                return None, 'No data. Nothing added.'
            text = fields['data'][0]
        else:
            try:
                wrapped = json.loads(body.decode('utf-8'))
            except ValueError as e:
                return None, 'Not a valid request. Error was: %s' % e
            if not isinstance(wrapped, dict) or 'data' not in wrapped:
                return None, 'No data. Nothing added.'
            # Whiskers since 2014 takes request.json_body['data'] as the
            # document itself: a JSON string there is no document.
            if not isinstance(wrapped['data'], dict):
                return None, 'Not a valid request. Error was: data is not an object'
            return wrapped['data'], None
        try:
            doc = json.loads(text)
        except (TypeError, ValueError) as e:
            return None, 'Not a valid request. Error was: %s' % e
        if not isinstance(doc, dict):
            return None, 'Not a valid request. Error was: not an object'
        return doc, None

    def _handler(self):
        whiskers = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = 'HTTP/1.1'

            def log_message(self, *args):
                pass

            def _reply(self, status, text):
                data = text.encode('utf-8')
                self.send_response(status)
                self.send_header('Content-Type', 'text/plain; charset=UTF-8')
                self.send_header('Content-Length', str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def do_POST(self):
                length = int(self.headers.get('Content-Length', '0'))
                body = self.rfile.read(length)
                ctype = self.headers.get('Content-Type', '')
                with whiskers.lock:
                    whiskers.requests.append(('POST', self.path, ctype))
                    failing = len(whiskers.requests) <= whiskers.fail_first
                if whiskers.hang:
                    whiskers.released.wait()
                    self.close_connection = True
                    return
                if failing:
                    self._reply(500, 'Internal Server Error')
                    return
                if self.path not in ('/', '/buildouts/add'):
                    self._reply(404, 'Not Found')
                    return
                doc, refusal = whiskers._parse(body, ctype)
                if refusal:
                    self._reply(200, refusal)
                    return
                with whiskers.lock:
                    whiskers.documents.append(doc)
                self._reply(200, 'Added buildout information to Whiskers.')

        return Handler
