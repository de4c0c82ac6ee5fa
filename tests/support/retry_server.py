"""A tiny HTTP server for tests/graph_flow.rs: answers each request with the next step of a
plan and logs what it received, so the test can run hwoath's curl rendering for real.

    python3 retry_server.py PLAN.json LOG.jsonl

PLAN.json: [{"status": 429, "headers": {"Retry-After": "1"}, "body": "..."}, ...]; requests past
the end of the plan get 500. It listens on 127.0.0.1, port 0 (the system picks one), prints the
port on the first line of standard output, and appends one JSON line per request to LOG.jsonl:
{"method", "path", "authorization", "body"}.
"""

import http.server
import json
import sys
import threading

plan = json.load(open(sys.argv[1]))
log_path = sys.argv[2]
lock = threading.Lock()
step = [0]


class Handler(http.server.BaseHTTPRequestHandler):
    def answer(self):
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length).decode("utf-8") if length else ""
        with lock:
            i = step[0]
            step[0] += 1
            with open(log_path, "a") as log:
                log.write(json.dumps({
                    "method": self.command,
                    "path": self.path,
                    "authorization": self.headers.get("Authorization"),
                    "body": body,
                }) + "\n")
        item = plan[i] if i < len(plan) else {"status": 500, "body": '{"error":{"code":"planEnded","message":"no more steps"}}'}
        data = item.get("body", "").encode("utf-8")
        self.send_response(item["status"])
        for k, v in item.get("headers", {}).items():
            self.send_header(k, v)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    do_GET = do_POST = do_PATCH = do_PUT = do_DELETE = answer

    def log_message(self, *args):
        pass


server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
print(server.server_address[1], flush=True)
server.serve_forever()
