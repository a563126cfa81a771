"""Seed 003 §4: party organisations keep their ladder — the provincial committee, the committees directly above
the grassroots, the grassroots organisations, the partial committees, the party cells. A kind that would put a
party organisation at or above the one above it (or below one under it) is refused with a sentence, and nothing
changes."""
from __future__ import annotations

import pytest

from tests.conftest import auth, make_orgunits
from tests.unit.orgunits.helpers import SKHCN, find, outbox_types


@pytest.fixture
def tree(tmp_path, keys):
    app = make_orgunits(tmp_path, keys, demo=True)
    yield app
    app.extensions["egov"].stop()


def test_the_party_ladder_is_kept_on_create_change_of_kind_and_move(tree, super_token):
    client = tree.test_client()
    headers = {**auth(super_token), "Accept-Language": "vi"}
    skhcn = find(client, SKHCN)

    def create(parent, code, name, kind):
        return client.post("/api/orgunits/units", headers=headers, json={
            "parent_id": parent["id"], "code": code, "name": name, "kind": kind})

    chain, parent = [], skhcn
    for code, name, kind in (("TU", "Tỉnh ủy thử", "party_provincial"), ("DU", "Đảng ủy Khối", "party_upper"),
                             ("DBCS", "Đảng bộ cơ sở Sở", "party_grassroots"),
                             ("DBBP", "Đảng bộ bộ phận Văn phòng", "party_partial"),
                             ("CB", "Chi bộ Phòng Kế hoạch", "party_cell")):
        made = create(parent, code, name, kind)
        assert made.status_code == 201, made.get_json()
        chain.append(made.get_json())
        parent = made.get_json()
    provincial, upper, grassroots, _partial, cell = chain
    events = outbox_types(tree)

    promoted = client.patch(f"/api/orgunits/units/{cell['id']}", headers=headers, json={"kind": "party_provincial"})
    assert promoted.status_code == 422 and promoted.get_json()["code"] == "party_kind"
    assert "không thể đặt dưới “Đảng bộ bộ phận Văn phòng”" in promoted.get_json()["detail"]
    assert "đảng bộ tỉnh (tỉnh ủy)" in promoted.get_json()["detail"]
    under_cell = create(cell, "DU2", "Đảng ủy dưới chi bộ", "party_upper")
    assert under_cell.status_code == 422
    lowered = client.patch(f"/api/orgunits/units/{upper['id']}", headers=headers, json={"kind": "party_partial"})
    assert lowered.status_code == 422 and "“Đảng bộ cơ sở Sở” ở cấp dưới" in lowered.get_json()["detail"]
    assert outbox_types(tree) == events, "nothing changed"
    assert client.get(f"/api/orgunits/units/{cell['id']}").get_json()["kind"] == "party_cell"

    moved_up = client.post(f"/api/orgunits/units/{cell['id']}/move", headers=headers,
                           json={"parent_id": provincial["id"]})
    assert moved_up.status_code == 200, moved_up.get_json()
    other = create(skhcn, "DU3", "Đảng ủy khác", "party_upper").get_json()
    below_a_cell = client.post(f"/api/orgunits/units/{other['id']}/move", headers=headers,
                               json={"parent_id": grassroots["id"]})
    assert below_a_cell.status_code == 422
    assert create(cell, "TO", "Tổ công tác", "office").status_code == 201, "other kinds are free"
