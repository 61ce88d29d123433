"""Scratch: generate a big ledger quickly (moved into bench_exports.py later)."""

from __future__ import annotations

import random
import sqlite3
import sys
import time
from datetime import date, timedelta


def fill_ledger(path: str, entries: int, seed: int = 11) -> tuple[int, int]:
    rng = random.Random(seed)
    rnd = rng.random
    con = sqlite3.connect(path, isolation_level=None)
    con.execute("PRAGMA synchronous=OFF")
    con.execute("PRAGMA cache_size=-1000000")
    projects = con.execute("SELECT id, fiscal_year FROM projects ORDER BY id").fetchall()
    shares: dict[int, list[str]] = {}
    for pid, party in con.execute("SELECT project_id, party FROM project_shares WHERE amount > 0 ORDER BY 1, 2"):
        shares.setdefault(pid, []).append(party)
    projects = [(pid, date(year, 1, 1).toordinal(), shares[pid]) for pid, year in projects if shares.get(pid)]
    payees = ["Constructora Ñandú, S.A. de C.V.", "Materiales del Cañón S.A.", 'Ferretería "La Güera"',
              "Servicios Técnicos de Jerez", "Transportes Zacatecanos, S.C."]
    concepts = ["Estimación 1 de obra", "Compra de cemento, varilla y grava", "Anticipo 30 %",
                "Pago final; acta de entrega", "Renta de maquinaria\nsegunda quincena"]
    n_rev = entries // 50
    n_base = entries - n_rev
    # (ordinal day, seq, pid, kind, party, amount, lines, extra, target_seq)
    gen = []
    for seq in range(n_base):
        pid, start, parties = projects[int(rnd() * len(projects))]
        day = start + int(rnd() * 730)
        roll = rnd()
        if roll < 0.41:
            party = parties[int(rnd() * len(parties))]
            amount = 100_000 + int(rnd() * 50_000_000)
            usd = party == "club" and rnd() < 0.3
            gen.append((day, seq, pid, "contribution", party, amount, ((party, amount),), usd, None))
        elif roll < 0.97:
            k = min(len(parties), 2 + int(rnd() * 3))
            lines = tuple((p, -(10_000 + int(rnd() * 5_000_000))) for p in rng.sample(parties, k))
            gen.append((day, seq, pid, "payment", None, sum(a for _p, a in lines), lines,
                        int(rnd() * 5), None))
        else:
            party = parties[int(rnd() * len(parties))]
            amount = -(1_000 + int(rnd() * 1_000_000))
            gen.append((day, seq, pid, "refund", party, amount, ((party, amount),), None, None))
    targets = rng.sample(range(n_base), n_rev)
    for i, t in enumerate(targets):
        base = gen[t]
        seq = n_base + i
        # a few reversals are themselves reversed (target a previous reversal instead)
        if i > 10 and rnd() < 0.01:
            base = gen[n_base + i - 5]
            t = base[1]
            if any(g[8] == t for g in gen[n_base + i - 5:]):
                base = gen[targets[i]]
                t = targets[i]
        gen.append((base[0] + int(rnd() * 20), seq, base[2], "reversal", base[4], -base[5],
                    tuple((p, -a) for p, a in base[6]), None, t))
    gen.sort(key=lambda g: (g[0], g[1]))
    ids = {g[1]: i for i, g in enumerate(gen, 1)}
    entry_rows = []
    line_rows = []
    line_id = 0
    created = "2026-01-01 12:00:00"
    fromordinal = date.fromordinal
    for entry_id, (day, seq, pid, kind, party, amount, lines, extra, target) in enumerate(gen, 1):
        iso = fromordinal(day).isoformat()
        usd = rate = rate_date = rate_source = payee = rfc = uuid = reverses = None
        reason = concept = ""
        if kind == "contribution":
            concept = f"Aportación {party}"
            if extra:
                usd, rate, rate_date, rate_source = amount * 10000 // 172345, "17.2345", iso, "Banxico FIX"
        elif kind == "payment":
            payee, rfc, concept = payees[extra], "CNA010101AB1", concepts[extra]
            uuid = f"{entry_id:08x}-0000-4000-8000-{entry_id:012x}"
        elif kind == "refund":
            concept = "Reintegro de recursos no ejercidos"
        else:
            reverses, reason = ids[target], "Captura duplicada"
        entry_rows.append((entry_id, pid, kind, party, iso, amount, usd, rate, rate_date, rate_source,
                           f"REF-{entry_id:07d}", payee, rfc, concept, uuid, reverses, reason, created, "bench", "", ""))
        for p, a in lines:
            line_id += 1
            line_rows.append((line_id, entry_id, p, a))
    con.execute("BEGIN")
    con.executemany("INSERT INTO ledger_entries (id, project_id, kind, party, entry_date, amount, usd_amount, rate,"
                    " rate_date, rate_source, reference, payee_name, payee_rfc, concept, cfdi_uuid, reverses_id,"
                    " reason, created_at, created_by, override_reason, authorised_by)"
                    " VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)", entry_rows)
    con.executemany("INSERT INTO ledger_allocations (id, entry_id, party, amount) VALUES (?,?,?,?)", line_rows)
    con.execute("COMMIT")
    con.close()
    return entries, line_id


if __name__ == "__main__":
    from tresxuno.db.engine import open_database
    from tresxuno.services.demo import generate_demo

    path = sys.argv[1]
    n = int(sys.argv[2])
    t = time.perf_counter()
    db = open_database(path)
    generate_demo(db, projects=500, seed=7)
    db.dispose()
    print("demo", time.perf_counter() - t)
    t = time.perf_counter()
    print(fill_ledger(path, n), time.perf_counter() - t)
