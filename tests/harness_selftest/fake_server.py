import sys, json, threading, time

inp = sys.stdin.buffer
out = sys.stdout.buffer
lock = threading.Lock()
received = []
pending = {}          # our request id -> callback(response)
next_id = [1000]
wait_cancel = {}      # client request id -> True
encoding = ["utf-16"]

sys.stderr.write("fake server started\n"); sys.stderr.flush()

def read_msg():
    headers = {}
    while True:
        line = inp.readline()
        if not line:
            return None
        line = line.decode().rstrip("\r\n")
        if line == "":
            break
        k, v = line.split(":", 1)
        headers[k.strip().lower()] = v.strip()
    return json.loads(inp.read(int(headers["content-length"])))

def frame(msg):
    body = json.dumps(msg).encode()
    return b"Content-Type: application/vscode-jsonrpc; charset=utf-8\r\nContent-Length: %d\r\n\r\n" % len(body) + body

def send(msg, pieces=False):
    data = frame(msg)
    with lock:
        if pieces:
            for i in range(0, len(data), 7):
                out.write(data[i:i + 7]); out.flush()
                if i % 21 == 0:
                    time.sleep(0.001)
        else:
            out.write(data); out.flush()

def send_two(a, b):
    with lock:
        out.write(frame(a) + frame(b)); out.flush()

def respond(id, result):
    send({"jsonrpc": "2.0", "id": id, "result": result})

def error(id, code, message, data=None):
    e = {"code": code, "message": message}
    if data is not None:
        e["data"] = data
    send({"jsonrpc": "2.0", "id": id, "error": e})

def notify(method, params, pieces=False):
    send({"jsonrpc": "2.0", "method": method, "params": params}, pieces)

def request(method, params, callback):
    id = next_id[0]; next_id[0] += 1
    pending[id] = callback
    send({"jsonrpc": "2.0", "id": id, "method": method, "params": params})

def publish(uri, version, note):
    notify("textDocument/publishDiagnostics", {"uri": uri, "version": version, "diagnostics": [
        {"range": {"start": {"line": 0, "character": 0}, "end": {"line": 0, "character": 1}},
         "severity": 1, "message": "%s v%s" % (note, version)}]})

def on_initialized():
    notify("window/logMessage", {"type": 3, "message": "hello"}, pieces=True)
    request("workspace/configuration",
            {"items": [{"section": "chant"}, {"section": "chant.lint.level"}, {"section": "other"}]},
            lambda r: notify("test/configuration", r))
    request("client/registerCapability", {"registrations": [
        {"id": "w1", "method": "workspace/didChangeWatchedFiles",
         "registerOptions": {"watchers": [{"globPattern": "**/*.md"}]}}]}, lambda r: None)
    def progress(_):
        notify("$/progress", {"token": "tok-1", "value": {"kind": "begin", "title": "Indexing"}})
        notify("$/progress", {"token": "tok-1", "value": {"kind": "report", "percentage": 50}})
        notify("$/progress", {"token": "tok-1", "value": {"kind": "end"}})
    request("window/workDoneProgress/create", {"token": "tok-1"}, progress)

while True:
    msg = read_msg()
    if msg is None:
        sys.exit(0)
    method = msg.get("method")
    if method is None:
        cb = pending.pop(msg["id"], None)
        received.append("response:%s" % msg["id"])
        if cb:
            cb(msg)
        continue
    received.append(method)
    id = msg.get("id")
    p = msg.get("params")
    if method == "initialize":
        offered = p["capabilities"]["general"]["positionEncodings"]
        io = p.get("initializationOptions") or {}
        encoding[0] = io.get("encoding", "utf-16")
        caps = {"positionEncoding": encoding[0],
                "textDocumentSync": {"openClose": True, "change": 2, "save": {"includeText": True}}}
        respond(id, {"capabilities": caps, "serverInfo": {"name": "fake"},
                     "echo": {"rootUri": p.get("rootUri"), "workspaceFolders": p.get("workspaceFolders"),
                              "offered": offered, "capabilities": p["capabilities"]}})
    elif method == "initialized":
        on_initialized()
    elif method == "textDocument/didOpen":
        td = p["textDocument"]
        publish(td["uri"], td["version"], "open")
    elif method == "textDocument/didChange":
        td = p["textDocument"]
        notify("test/didChange", p)
        # A stale publication for the previous version first, the current one later.
        publish(td["uri"], td["version"] - 1, "stale")
        threading.Timer(0.3, publish, (td["uri"], td["version"], "fresh")).start()
    elif method == "textDocument/didSave":
        notify("test/didSave", p)
    elif method == "textDocument/didClose":
        notify("textDocument/publishDiagnostics", {"uri": p["textDocument"]["uri"], "diagnostics": []})
    elif method == "test/echo":
        respond(id, p)
    elif method == "test/two":
        send_two({"jsonrpc": "2.0", "method": "test/first", "params": {}},
                 {"jsonrpc": "2.0", "id": id, "result": "two"})
    elif method == "test/error":
        error(id, -32099, "boom", {"x": 1})
    elif method == "test/never":
        pass
    elif method == "test/waitCancel":
        wait_cancel[id] = True
    elif method == "$/cancelRequest":
        if wait_cancel.pop(p["id"], None):
            error(p["id"], -32800, "cancelled")
    elif method == "test/applyEdit":
        start = len(received)
        def done(r, id=id, start=start):
            respond(id, {"reply": r.get("result"), "between": received[start:]})
        request("workspace/applyEdit", p, done)
    elif method == "test/serverRequest":
        request(p["method"], p.get("params"), lambda r, id=id: respond(id, r))
    elif method == "test/received":
        respond(id, received)
    elif method == "test/crash":
        sys.stderr.write("fake server crashing\n"); sys.stderr.flush()
        sys.exit(3)
    elif method == "shutdown":
        respond(id, None)
    elif method == "exit":
        sys.exit(0)
    elif id is not None:
        error(id, -32601, "unknown method " + method)
