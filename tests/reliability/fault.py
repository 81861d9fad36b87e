"""Fault test: API writes while the database server is killed and restarted.

On a private stack (tests/reliability/stack.py: its own PostgreSQL, gunicorn with 2 workers,
DEBUG=0), writers create use cases with their steps, lessons and indicators through the tenant API
as grand-annecy's contributor, while a prober reads `/healthz` every 0.1 s. After a few seconds the
PostgreSQL server is killed (SIGKILL on the postmaster and every backend: a crash), stays down,
then restarts on the same data; the writers go on throughout. Then, read straight from the
database:

- every write acknowledged with a 2xx is there, with the title it was sent with;
- no use case is half-written: each has all its steps, lessons and indicators, and its
  « created » history event (a write is one transaction);
- while the server was down, the API answered 503 (JSON, with Retry-After) and never a 500, and
  `/healthz` answered 503; after the restart both came back to 2xx/200.

It ends with one line of figures and exits non-zero when a check fails:

    .venv/bin/python -m tests.reliability.fault [--writers 4] [--down 6]
"""

import argparse
import sys
import threading
import time
from collections import Counter

import psycopg
from psycopg import sql

from tests.reliability.stack import Stack, log

TENANT_HOST = "grand-annecy.localhost"
STEPS, LESSONS, METRICS = 3, 2, 1


def payload(marker: str) -> dict:
    return {
        "title": f"Essai de panne {marker}",
        "summary": "Cas d'usage écrit pendant l'arrêt brutal de la base de données.",
        "ai_family": "generalist",
        "domains": ["administration-generale-et-assemblees"],
        "automation_level": "assistance",
        "status": "pilot",
        "personal_data": "no",
        "visibility": "public",
        "steps": [{"text": f"Étape {i} de {marker}"} for i in range(1, STEPS + 1)],
        "lessons": [
            {"category": "quality", "polarity": "success", "text": f"Leçon {i} de {marker}"}
            for i in range(1, LESSONS + 1)
        ],
        "metrics": [{"name": "Temps gagné", "unit": "h/semaine", "value": "2.5"}] * METRICS,
    }


class Run:
    def __init__(self, stack: Stack, token: str):
        self.stack, self.token = stack, token
        self.lock = threading.Lock()
        self.phase = "avant"  # avant → panne → après
        self.stop = threading.Event()
        self.writes: list[tuple[str, str, int, dict | str | None, dict]] = []
        self.health: list[tuple[str, int]] = []

    def writer(self, number: int) -> None:
        sequence = 0
        while not self.stop.is_set():
            sequence += 1
            marker = f"w{number}-{sequence}"
            phase = self.phase
            status, headers, body = self.stack.request(
                "POST", "/api/v1/use-cases/", host=TENANT_HOST, body=payload(marker),
                token=self.token, timeout=30,
            )  # fmt: skip
            with self.lock:
                self.writes.append((phase, marker, status, body, dict(headers or {})))
            if status != 201:
                time.sleep(0.05)

    def prober(self) -> None:
        while not self.stop.is_set():
            phase = self.phase
            status = self.stack.status("/healthz", timeout=5)
            with self.lock:
                self.health.append((phase, status))
            time.sleep(0.1)


def check_database(uri: str, acknowledged: dict[str, str]) -> tuple[int, int, int]:
    """(lost acknowledged writes, half-written use cases, use cases found) read with SQL."""
    with psycopg.connect(uri, dbname="postgres", autocommit=True) as conn:
        schema = conn.execute(
            "SELECT schema_name FROM registry_collectivite WHERE slug = 'grand-annecy'"
        ).fetchone()[0]
        conn.execute(sql.SQL("SET search_path TO {}").format(sql.Identifier(schema)))
        rows = conn.execute(
            """
            SELECT u.public_id, u.title,
                   (SELECT count(*) FROM casestudies_approachstep s WHERE s.use_case_id = u.id),
                   (SELECT count(*) FROM casestudies_lesson l WHERE l.use_case_id = u.id),
                   (SELECT count(*) FROM casestudies_metric m WHERE m.use_case_id = u.id),
                   (SELECT count(*) FROM casestudies_usecaseevent e
                     WHERE e.use_case_id = u.id AND e.action = 'created')
              FROM casestudies_usecase u WHERE u.title LIKE 'Essai de panne %%'
            """
        ).fetchall()
    found = {public_id: title for public_id, title, *_ in rows}
    lost = sum(1 for pid, title in acknowledged.items() if found.get(pid) != title)
    half = sum(1 for *_, s, le, m, e in rows if (s, le, m, e) != (STEPS, LESSONS, METRICS, 1))
    return lost, half, len(rows)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--writers", type=int, default=4)
    parser.add_argument("--before", type=float, default=4.0, help="secondes avant la panne")
    parser.add_argument("--down", type=float, default=6.0, help="secondes de panne")
    parser.add_argument("--after", type=float, default=6.0, help="secondes après le redémarrage")
    args = parser.parse_args()

    with Stack() as stack:
        token = stack.token("contributeur@grand-annecy.example", host=TENANT_HOST)
        run = Run(stack, token)
        threads = [threading.Thread(target=run.writer, args=(n,)) for n in range(args.writers)]
        threads.append(threading.Thread(target=run.prober))
        for thread in threads:
            thread.start()
        time.sleep(args.before)
        log("Arrêt brutal de PostgreSQL (SIGKILL).")
        run.phase = "panne"
        stack.db.kill()
        time.sleep(args.down)
        run.phase = "redémarrage"
        log("Redémarrage de PostgreSQL.")
        stack.db.restart()
        run.phase = "après"
        time.sleep(args.after)
        run.stop.set()
        for thread in threads:
            thread.join()
        acknowledged = {
            body["public_id"]: body["title"]
            for _phase, _m, status, body, _h in run.writes
            if 200 <= status < 300
        }
        lost, half, found = check_database(stack.db.uri, acknowledged)

    by_phase = {
        phase: Counter(status for p, _m, status, _b, _h in run.writes if p == phase)
        for phase in ("avant", "panne", "redémarrage", "après")
    }
    health = {
        phase: Counter(status for p, status in run.health if p == phase)
        for phase in ("avant", "panne", "redémarrage", "après")
    }
    for phase in by_phase:
        log(f"{phase:12} écritures {dict(by_phase[phase])}  /healthz {dict(health[phase])}")
    down_writes = by_phase["panne"]
    answers_503 = [(h, b) for _p, _m, status, b, h in run.writes if status == 503]
    retry_after = all("Retry-After" in h and isinstance(b, dict) for h, b in answers_503)
    failures = []
    if lost:
        failures.append(f"{lost} écriture(s) acquittée(s) perdue(s)")
    if half:
        failures.append(f"{half} cas d'usage à moitié écrit(s)")
    if any(status >= 500 and status != 503 for c in by_phase.values() for status in c):
        failures.append("une réponse 5xx autre que 503")
    if not down_writes.get(503):
        failures.append("aucune réponse 503 de l'API pendant la panne")
    if not retry_after:
        failures.append("une réponse 503 sans Retry-After ou qui n'est pas du JSON")
    if not health["panne"].get(503) or set(health["panne"]) - {503, 0}:
        failures.append(f"/healthz pendant la panne : {dict(health['panne'])} (attendu : 503)")
    if not by_phase["après"].get(201) or health["après"].get(200, 0) == 0:
        failures.append("l'API n'est pas revenue après le redémarrage")
    total = len(run.writes)
    print(
        f"fault: writes={total} acknowledged={len(acknowledged)} lost={lost} half_written={half}"
        f" rows_found={found} api_503_while_down={down_writes.get(503, 0)}"
        f" api_500={sum(c.get(500, 0) for c in by_phase.values())}"
        f" healthz_503_while_down={health['panne'].get(503, 0)}"
        f" healthz_200_after={health['après'].get(200, 0)}",
        flush=True,
    )
    for failure in failures:
        print(f"ÉCHEC : {failure}", file=sys.stderr)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
