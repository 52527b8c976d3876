"""码上巡察's secrets (issue 15): the receipt log-in is a server-side token, proof of work
cannot be minted or post-dated and grows harder under guessing instead of locking everyone
out, and nothing stored dates a submission finer than the day."""

from __future__ import annotations

import base64
import datetime as dt
import json
import os
import time
from pathlib import Path

import pytest
from cryptography.fernet import Fernet
from django.core.management import call_command
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from web import test_petitions
from web.test_petitions import (
    SECRET,
    form_data,
    jpeg_with_gps,
    make_petition,
    receipt_of,
    stored_files,
    submit,
)
from xuncha.petitions import at_rest, pow, receipt_login, selectors, services, vault
from xuncha.petitions.models import Attachment, Message, Petition, ReceiptSession

LOGIN = "petitions_public:receipt"
STATUS = "petitions_public:status"
# The fixtures of test_petitions: a fresh cache and cheap work for every test, a QR code.
_fresh_cache, intake = test_petitions._fresh_cache, test_petitions.intake


def login(client, code: str, address: str = "198.51.100.1"):
    path = reverse(LOGIN)
    return client.post(path, form_data(client, path, code=code), REMOTE_ADDR=address)


# ------------------------------------------------------------------ the receipt log-in


def test_the_receipt_cookie_is_a_random_token_kept_only_as_a_hash(client, intake):
    code = receipt_of(submit(client, intake))
    petition = Petition.objects.get()
    assert login(client, code).status_code == 302
    token = client.cookies["xc_receipt"].value
    assert len(token) >= 43 and str(petition.pk) not in token.split("-")
    session = ReceiptSession.objects.get()
    assert session.petition_id == petition.pk and session.token_hash != token
    with connection.cursor() as cursor:
        cursor.execute("SELECT * FROM petitions_receiptsession")
        assert token not in repr(cursor.fetchall())
    assert SECRET in client.get(reverse(STATUS)).content.decode()
    # Leaving deletes the session: the same cookie, sent again, opens nothing.
    client.post(reverse("petitions_public:leave"))
    assert not ReceiptSession.objects.exists()
    client.cookies["xc_receipt"] = token
    assert client.get(reverse(STATUS)).status_code == 302


def test_a_session_ends_when_idle_and_at_its_absolute_end(client, intake, settings):
    code = receipt_of(submit(client, intake))
    login(client, code)
    session = ReceiptSession.objects.get()
    assert session.ends_at - session.idle_until == dt.timedelta(
        seconds=settings.PETITION_SESSION_MAX - settings.PETITION_SESSION_IDLE
    )
    # Use keeps it alive, never past its end.
    soon = timezone.now() + dt.timedelta(seconds=60)
    ReceiptSession.objects.update(idle_until=soon - dt.timedelta(seconds=30), ends_at=soon)
    assert client.get(reverse(STATUS)).status_code == 200
    session.refresh_from_db()
    assert session.idle_until == session.ends_at
    # Idle past its time: refused, and deleted by the next sweep.
    ReceiptSession.objects.update(idle_until=timezone.now() - dt.timedelta(seconds=1))
    assert client.get(reverse(STATUS)).status_code == 302
    assert receipt_login.receipt_sessions_sweep() == 1 and not ReceiptSession.objects.exists()


def test_ended_sessions_are_swept_when_someone_logs_in(client, intake, world):
    code = receipt_of(submit(client, intake))
    login(client, code)
    ReceiptSession.objects.update(idle_until=timezone.now() - dt.timedelta(seconds=1))
    stale = ReceiptSession.objects.get().pk
    login(client, code)
    assert list(ReceiptSession.objects.values_list("pk", flat=True)) != [stale]
    assert ReceiptSession.objects.count() == 1
    # Logging in again from the same browser ends its previous session.
    first = ReceiptSession.objects.get().pk
    login(client, code)
    assert ReceiptSession.objects.count() == 1 and ReceiptSession.objects.get().pk != first


# ------------------------------------------------------------------ guessing


def test_guessing_raises_the_work_and_a_genuine_petitioner_still_logs_in(client, intake, settings):
    """610 wrong codes from 61 clients (each to its own limit), then the right code from
    a 62nd: it logs in, after solving the harder challenge the page now carries."""
    code = receipt_of(submit(client, intake))
    base = settings.PETITION_POW_BITS
    assert pow.receipt_bits() == base
    wrong = code[:-1] + str((int(code[-1]) + 1) % 10)
    for n in range(61):
        address = f"192.0.2.{n + 1}"
        for _ in range(10):
            token = pow.challenge(pow.receipt_bits())
            response = client.post(reverse(LOGIN), {"code": wrong, "pow_challenge": token,
                                   "pow_nonce": pow.solve(token)}, REMOTE_ADDR=address)  # fmt: skip
            assert response.status_code == 400 and "回执码不正确" in response.content.decode()
    assert login(client, wrong, "192.0.2.1").status_code == 429  # per-client limit stays
    raised = pow.receipt_bits()
    # 610 failures over an alarm of 100: 1 + log2(6.1) → 3 more bits (8 times the work).
    assert raised == base + 3
    page = client.get(reverse(LOGIN)).content.decode()
    assert f'value="{raised}.' in page
    # A challenge of the old difficulty is no longer enough; the refusal says why.
    old = pow.challenge(base)
    refused = client.post(reverse(LOGIN), {"code": code, "pow_challenge": old,
                          "pow_nonce": pow.solve(old)}, REMOTE_ADDR="203.0.113.9")  # fmt: skip
    assert refused.status_code == 400 and "难度已提高" in refused.content.decode()
    genuine = login(client, code, "203.0.113.9")
    assert genuine.status_code == 302 and genuine.url == reverse(STATUS)


def test_the_extra_work_is_capped(settings):
    settings.PETITION_POW_ALARM = "2/600"
    for _ in range(2**10):
        pow.receipt_failed()
    assert pow.receipt_bits() == settings.PETITION_POW_BITS + settings.PETITION_POW_MAX_EXTRA


# ------------------------------------------------------------------ proof of work


def test_a_challenge_dated_ahead_or_tampered_is_refused(settings):
    good = pow.challenge()
    pow.verify(good, pow.solve(good))
    bits, issued, rand, mac = good.split(".")
    for forged in (
        f"{bits}.{int(issued) + 3600}.{rand}.{mac}",  # re-dated, old MAC
        f"{int(bits) - 1}.{issued}.{rand}.{mac}",  # made easier
        f"{bits}.{issued}.{rand}.{'0' * len(mac)}",
        f"{bits}.{issued}.{rand}",
    ):
        with pytest.raises(pow.WorkRefused, match="无效"):
            pow.verify(forged, pow.solve(forged))
    # Even with the server's own MAC, a challenge dated beyond the clock skew is refused.
    body = f"{bits}.{int(time.time()) + pow.CLOCK_SKEW + 60}.{rand}"
    ahead = f"{body}.{pow._mac(body)}"
    with pytest.raises(pow.WorkRefused, match="无效"):
        pow.verify(ahead, pow.solve(ahead))
    body = f"{bits}.{int(time.time()) - settings.PETITION_POW_MAX_AGE - 1}.{rand}"
    expired = f"{body}.{pow._mac(body)}"
    with pytest.raises(pow.WorkRefused, match="过期"):
        pow.verify(expired, pow.solve(expired))


def test_challenges_depend_on_the_installation_key(settings):
    token = pow.challenge()
    settings.SECRET_KEY = "another-installation-" + "k" * 60
    with pytest.raises(pow.WorkRefused, match="无效"):
        pow.verify(token, pow.solve(token))


# ------------------------------------------------------------------ nothing dated finer than the day


def _tokens() -> list[tuple[str, bytes]]:
    found = []
    for p in Petition.objects.all():
        found += [("content", bytes(p.content))] + (
            [("identity", bytes(p.identity))] if p.identity else []
        )
    found += [("message", bytes(m.body)) for m in Message.objects.all()]
    found += [("meta", bytes(a.meta)) for a in Attachment.objects.all()]
    found += [(f.name, f.read_bytes()) for f in stored_files()]
    return found


def test_stored_tokens_files_and_rows_carry_no_time_finer_than_the_day(client, intake, world):
    code = receipt_of(submit(client, intake, anonymous="0", name="王五", phone="13900000000",
                             attachments=[jpeg_with_gps()]))  # fmt: skip
    login(client, code)
    photo = jpeg_with_gps()
    client.post(reverse(STATUS), {"body": "补充材料", "attachments": [photo]})
    services.attachment_copy(Attachment.objects.first())  # the viewing copy, made on view
    client.post(reverse("petitions_public:leave"))
    # Times first (reading a file or listing a folder moves its access time).
    files = [Path(f.path) for a in Attachment.objects.all() for f in (a.original, a.copy) if f]
    assert len(files) == 3  # two originals and one viewing copy
    midnight = at_rest.midnight()
    for path in files:
        assert path.stat().st_mtime == midnight and path.stat().st_atime == midnight, path
    for folder in {f.parent for f in files} | {files[0].parents[1]}:
        assert folder.stat().st_mtime == midnight, folder
    tokens = _tokens()
    assert len(tokens) >= 8  # content, identity, message, 2 metas, 2 originals, a copy
    for name, token in tokens:
        # AES-GCM: version byte 01, no Fernet token (base64 text "gAAAA…", whose decoded
        # first byte is 0x80 followed by the creation time in seconds).
        assert token[:1] == vault.VERSION and not token.startswith(b"gAAAA"), name
    as_local = timezone.localtime(dt.datetime.fromtimestamp(midnight, tz=dt.UTC))
    assert as_local.date() == timezone.localdate() and as_local.time() == dt.time(0, 0)
    # Rows: the petition, its messages and attachments hold dates, not times (the only
    # time column is the team's first response, empty until the team answers).
    with connection.cursor() as cursor:
        for table in ("petitions_petition", "petitions_message", "petitions_attachment"):
            cursor.execute(f'SELECT * FROM "{table}"')
            columns = [c[0] for c in cursor.description]
            for row in cursor.fetchall():
                for column, value in zip(columns, row, strict=True):
                    assert not isinstance(value, dt.datetime), (table, column)
                    if isinstance(value, str) and column != "receipt_hash":
                        assert not _looks_like_a_time(value), (table, column, value)
    assert not ReceiptSession.objects.exists()


def _looks_like_a_time(text: str) -> bool:
    """SQLite keeps datetimes as text: '2026-12-02 17:31:52.123456'."""
    return len(text) >= 16 and text[4] == "-" and text[10] in " T" and text[13] == ":"


def test_rows_written_with_fernet_are_read_and_moved_to_aes_gcm(world, settings, tmp_path):
    """A key file of the previous version (Fernet keys only) keeps its rows readable,
    and ``petition_keys --reencrypt`` moves them, files included, to AES-GCM."""
    fernet_key = Fernet.generate_key()
    path = tmp_path / "old.json"
    path.write_text(json.dumps({"fernet": [fernet_key.decode()], "pepper": os.urandom(32).hex()}))
    settings.PETITION_KEY_FILE = path
    vault._load.cache_clear()
    try:
        day = timezone.localdate() - dt.timedelta(days=3)
        petition = make_petition(world, received_on=day, files=[(jpeg_with_gps(), "a.jpg")])
        old = Fernet(fernet_key).encrypt(json.dumps({"what": SECRET}).encode())
        assert base64.urlsafe_b64decode(old)[0] == 0x80  # the Fernet version, then the time
        Petition.objects.filter(pk=petition.pk).update(content=old)
        assert selectors.content(Petition.objects.get(pk=petition.pk))["what"] == SECRET
        # An attachment file as the previous version wrote it: Fernet, dated to the second.
        att = Attachment.objects.get()
        photo = services.attachment_original(att)
        file = Path(att.original.path)
        file.write_bytes(Fernet(fernet_key).encrypt(photo))
        os.utime(file, (time.time() - 3600, time.time() - 3600))
        call_command("petition_keys", "--reencrypt", stdout=open(os.devnull, "w"))  # noqa: SIM115
        moved = bytes(Petition.objects.get(pk=petition.pk).content)
        assert moved[:1] == vault.VERSION and vault.unseal_json(moved)["what"] == SECRET
        assert file.read_bytes()[:1] == vault.VERSION
        assert services.attachment_original(att) == photo
        assert file.stat().st_mtime == at_rest.midnight(day)  # the day it was received
        # Rotation: a new key first, the derived one written out, old rows readable.
        call_command("petition_keys", "--rotate", stdout=open(os.devnull, "w"))  # noqa: SIM115
        body = json.loads(path.read_text())
        assert len(body["aesgcm"]) == 2 and body["fernet"] == [fernet_key.decode()]
        assert selectors.content(Petition.objects.get(pk=petition.pk))["what"] == SECRET
        assert at_rest.vault_reencrypt_all() == 3  # content, file name and file: old key
        assert at_rest.vault_reencrypt_all() == 0
    finally:
        vault._load.cache_clear()


def test_a_new_key_file_has_aes_gcm_keys_only(settings, tmp_path):
    settings.PETITION_KEY_FILE = tmp_path / "new.json"
    vault._load.cache_clear()
    try:
        token = vault.seal(b"x")
        body = json.loads(settings.PETITION_KEY_FILE.read_text())
        assert set(body) == {"aesgcm", "pepper"} and token[1] == vault.key_id_of(
            base64.urlsafe_b64decode(body["aesgcm"][0])
        )
        assert oct(settings.PETITION_KEY_FILE.stat().st_mode & 0o777) == "0o600"
        with pytest.raises(vault.VaultError):
            vault.unseal(token[:-1] + bytes([token[-1] ^ 1]))
    finally:
        vault._load.cache_clear()
