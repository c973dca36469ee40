"""`annotator run` as a real process: signals, idle connections, parallel logins, big saves, dead jobs."""

from __future__ import annotations

import json
import os
import re
import signal
import socket
import subprocess
import threading
import time
from pathlib import Path

import requests

from test_crash_safety import BIN, Instance, free_port, instance  # noqa: F401  (the fixture)

PASSWORD = "live horse battery"


def serve(inst: Instance, *args: str) -> tuple[subprocess.Popen[bytes], str]:
    """Start `annotator run` on a free loopback port; returns the process and its base URL once it answers."""
    port = free_port()
    log = open(inst.path / "server.log", "ab")
    process = subprocess.Popen([str(BIN / "annotator"), "run", "--host", "127.0.0.1", "--port", str(port),
                                *args], env=inst.env, stdout=log, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        assert process.poll() is None, (inst.path / "server.log").read_text()
        try:
            requests.get(f"{base}/login", timeout=2)
            return process, base
        except requests.ConnectionError:
            time.sleep(0.2)
    process.kill()
    raise AssertionError("the server did not start")


def stop(process: subprocess.Popen[bytes], signum: int = signal.SIGTERM) -> tuple[int, float]:
    """Send one signal; return the exit code and how long the process took to end."""
    started = time.monotonic()
    process.send_signal(signum)
    try:
        code = process.wait(timeout=15)
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
    return code, time.monotonic() - started


def add_user(inst: Instance, name: str, role: str = "annotator") -> None:
    inst.cli("user", "add", name, "--role", role, "--password-stdin", input=PASSWORD + "\n")


def form_login(http: requests.Session, base: str, name: str, password: str = PASSWORD) -> requests.Response:
    page = http.get(f"{base}/login", timeout=30).text
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)  # type: ignore[union-attr]
    return http.post(f"{base}/login", data={"name": name, "password": password, "csrf_token": token},
                     allow_redirects=False, timeout=60)


def test_sigterm_finishes_the_request_in_flight_and_exits_0(instance: Instance) -> None:
    add_user(instance, "alice")
    process, base = serve(instance, "--job-workers", "1")
    port = int(base.rsplit(":", 1)[1])
    body = "name=alice&password=wrong"
    with socket.create_connection(("127.0.0.1", port), timeout=30) as conn:
        conn.sendall((f"POST /login HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-www-form-urlencoded\r\n"
                      f"Content-Length: {len(body)}\r\n\r\n{body}").encode())
        time.sleep(0.05)
        process.send_signal(signal.SIGTERM)
        reply = b""
        while chunk := conn.recv(65536):
            reply += chunk
    assert reply.startswith(b"HTTP/1.1 400") or reply.startswith(b"HTTP/1.1 401"), reply[:200]
    code = process.wait(timeout=10)
    assert code == 0, (instance.path / "server.log").read_text()[-2000:]
    assert "Stopped." in (instance.path / "server.log").read_text()
    refused = False
    try:
        requests.get(f"{base}/login", timeout=2)
    except requests.ConnectionError:
        refused = True
    assert refused


def test_one_ctrl_c_stops_the_server(instance: Instance) -> None:
    process, _ = serve(instance, "--job-workers", "1")
    code, took = stop(process, signal.SIGINT)
    assert code == 0 and took < 10


def test_idle_connections_do_not_make_the_server_unreachable(instance: Instance) -> None:
    process, base = serve(instance, "--job-workers", "0")
    port = int(base.rsplit(":", 1)[1])
    idle = [socket.create_connection(("127.0.0.1", port), timeout=5) for _ in range(150)]
    try:
        for conn in idle[:50]:
            conn.sendall(b"GET /login HTTP/1.1\r\nHost: x\r\n")  # half a request, never finished
        started = time.monotonic()
        response = requests.get(f"{base}/login", timeout=10)
        assert response.status_code == 200 and time.monotonic() - started < 5
        code, took = stop(process)
        assert code == 0 and took < 10
    finally:
        for conn in idle:
            conn.close()
        if process.poll() is None:
            process.kill()


def test_parallel_wrong_logins_are_all_counted(instance: Instance) -> None:
    add_user(instance, "alice")
    process, base = serve(instance, "--job-workers", "0", "--threads", "8")
    try:
        sessions = [requests.Session() for _ in range(50)]
        tokens = []
        for http in sessions:
            page = http.get(f"{base}/login", timeout=30).text
            tokens.append(re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1))  # type: ignore[union-attr]
        gate = threading.Barrier(50)
        statuses: list[int] = []

        def guess(i: int) -> None:
            gate.wait()
            response = sessions[i].post(f"{base}/login", allow_redirects=False, timeout=120, data={
                "name": "alice", "password": f"guess {i}", "csrf_token": tokens[i]})
            statuses.append(response.status_code)

        threads = [threading.Thread(target=guess, args=(i,)) for i in range(50)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert sorted(statuses) == [401] * 50
        assert form_login(requests.Session(), base, "alice").status_code == 401  # the right password, refused
        assert instance.python("print(db.session.scalar(sa.select(Throttle.failures)"
                               ".where(Throttle.key == 'login:alice')))") == "51"
    finally:
        stop(process)


def test_a_huge_save_is_refused_at_once_while_another_save_succeeds(instance: Instance) -> None:
    out = instance.python(
        "from annotator.services.annotations import ensure_seeded, user_set\n"
        "from annotator.services.importer import Record, get_or_create_dataset, import_records\n"
        "from annotator.services.tokens import issue_token\n"
        "from annotator.services.users import create_user\n"
        "ids = import_records(get_or_create_dataset('news'), [Record(text='The council backs the tram. ' * 20)],"
        " preannotate=False).document_ids\n"
        "out = []\n"
        "for name in ('mallory', 'anna'):\n"
        "    user = create_user(name, 'a long password')\n"
        "    aset = user_set(ids[0], user, create=True)\n"
        "    ensure_seeded(aset)\n"
        "    out += [issue_token(user, 'live')[1], str(aset.id)]\n"
        "db.session.commit()\n"
        "print(' '.join(out))")
    mallory_token, mallory_set, anna_token, anna_set = out.split()
    process, base = serve(instance, "--job-workers", "0")
    ops = [{"op": "upsert", "layer": "stances", "item": {
        "uid": f"flood-{i:05d}", "polarity": "favor", "holder": "the council", "target": "the tram",
        "evidence": {"start": 0, "end": 26}}} for i in range(60_000)]
    results: dict[str, tuple[int, float]] = {}

    def put(who: str, token: str, set_id: str, body_ops: list[dict[str, object]]) -> None:
        headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
        version = requests.get(f"{base}/api/sets/{set_id}", headers=headers, timeout=30).json()["version"]
        body = json.dumps({"version": version, "ops": body_ops}).encode()  # 9.4 MB for the flood
        started = time.monotonic()
        response = requests.put(f"{base}/api/sets/{set_id}", data=body, headers=headers, timeout=60)
        results[who] = (response.status_code, time.monotonic() - started)

    try:
        flood = threading.Thread(target=put, args=("mallory", mallory_token, mallory_set, ops))
        flood.start()
        time.sleep(0.5)
        put("anna", anna_token, anna_set, ops[:1])
        flood.join()
        # Refused from the length header, before the 9.4 MB are read or parsed (about 0.05 s on a quiet
        # machine); the bound is loose so that a loaded machine cannot fail it, a parse of the body could.
        assert results["mallory"][0] == 413 and results["mallory"][1] < 5.0, results
        assert results["anna"][0] == 200, results
    finally:
        stop(process)


def test_a_job_killed_mid_run_shows_failed_after_a_restart(instance: Instance, tmp_path: Path) -> None:
    add_user(instance, "ada", "admin")
    lines = "".join('{"text": "Report %d. The mayor said the tram would be late, officials said."}\n' % i
                    for i in range(400))
    process, base = serve(instance, "--job-workers", "1")
    try:
        http = requests.Session()
        assert form_login(http, base, "ada").status_code == 302
        dataset_id = instance.python(
            "from annotator.services.importer import get_or_create_dataset\n"
            "ds = get_or_create_dataset('uploads'); db.session.commit(); print(ds.id)")
        page = http.get(f"{base}/datasets/{dataset_id}/upload", timeout=30).text
        csrf = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page).group(1)  # type: ignore[union-attr]
        sent = http.post(f"{base}/datasets/{dataset_id}/upload", data={"csrf_token": csrf, "target": "file"},
                         files={"file": ("news.jsonl", lines.encode())}, allow_redirects=False, timeout=60)
        assert sent.status_code == 302, sent.text[:500]
        job_id = sent.headers["Location"].rstrip("/").rsplit("/", 1)[1]
        deadline = time.monotonic() + 60
        while http.get(f"{base}/api/jobs/{job_id}", timeout=30).json()["status"] != "running":
            assert time.monotonic() < deadline, "the job never started"
            time.sleep(0.05)
        os.kill(process.pid, signal.SIGKILL)
        process.wait(timeout=30)
        assert list((instance.path / "uploads").iterdir()), "the upload should still be there after the kill"
        process, base = serve(instance, "--job-workers", "1")
        http = requests.Session()
        assert form_login(http, base, "ada").status_code == 302
        job = http.get(f"{base}/api/jobs/{job_id}", timeout=30).json()
        assert job["status"] == "failed" and "stopped" in job["message"], job
        assert not list((instance.path / "uploads").iterdir())
        code, took = stop(process)
        assert code == 0 and took < 10
    finally:
        if process.poll() is None:
            process.kill()
