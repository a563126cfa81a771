"""Reading the Bình Thuận tree: root, size, depth, subtree, ancestors, search with or without diacritics."""
from __future__ import annotations

import json
from pathlib import Path

from tests.unit.orgunits.helpers import SKHCN, find

SHARED = Path(__file__).resolve().parents[3] / "services/orgunits/demo_data/binh_thuan_units.json"


def _expected_subtree(name: str) -> list[str]:
    def walk(node):
        if node["name"] == name:
            return node
        for child in node["children"]:
            hit = walk(child)
            if hit:
                return hit
        return None

    def codes(node):
        yield node["code"]
        for child in node["children"]:
            yield from codes(child)

    return list(codes(walk(json.loads(SHARED.read_text(encoding="utf-8")))))


def test_root_query_returns_the_province(demo):
    body = demo.test_client().get("/api/orgunits/units?parent=root").get_json()
    assert body["total"] == 1
    assert body["items"][0]["name"] == "Tỉnh Bình Thuận"
    assert body["items"][0]["code"] == "BT"


def test_whole_tree_has_679_units_and_depth_6(demo):
    client = demo.test_client()
    root = client.get("/api/orgunits/units?parent=root").get_json()["items"][0]
    units = client.get(f"/api/orgunits/units/{root['id']}/subtree").get_json()["items"]
    assert len(units) == 679
    assert max(u["depth"] for u in units) == 6
    per_depth = [sum(1 for u in units if u["depth"] == d) for d in range(7)]
    assert per_depth == [1, 9, 69, 202, 266, 123, 9]


def test_subtree_of_science_department_matches_the_source(demo):
    client = demo.test_client()
    skhcn = find(client, SKHCN)
    units = client.get(f"/api/orgunits/units/{skhcn['id']}/subtree").get_json()["items"]
    assert [u["code"] for u in units] == _expected_subtree(SKHCN)
    assert units[0]["code"] == "BT.01.01.13"


def test_ancestors_are_the_breadcrumb_from_the_root(demo):
    client = demo.test_client()
    skhcn = find(client, SKHCN)
    chain = client.get(f"/api/orgunits/units/{skhcn['id']}/ancestors").get_json()["items"]
    assert [u["code"] for u in chain] == ["BT", "BT.01", "BT.01.01"]


def test_children_keep_document_order(demo):
    client = demo.test_client()
    root = client.get("/api/orgunits/units?parent=root").get_json()["items"][0]
    kids = client.get(f"/api/orgunits/units/{root['id']}/children").get_json()["items"]
    assert [k["code"] for k in kids] == [f"BT.0{i}" for i in range(1, 10)]


def test_search_without_diacritics_finds_the_department(demo):
    names = [u["name"] for u in demo.test_client().get(
        "/api/orgunits/units", query_string={"q": "so khoa hoc"}).get_json()["items"]]
    assert SKHCN in names


def test_search_with_diacritics_and_by_code(demo):
    client = demo.test_client()
    assert SKHCN in [u["name"] for u in client.get(
        "/api/orgunits/units", query_string={"q": "Sở Khoa học"}).get_json()["items"]]
    by_code = client.get("/api/orgunits/units", query_string={"q": "BT.01.01.13"}).get_json()["items"]
    assert by_code[0]["name"] == SKHCN


def test_search_results_follow_vietnamese_alphabetical_order(demo):
    from services.common.text import sort_key

    items = demo.test_client().get("/api/orgunits/units", query_string={"q": "so", "limit": 200}).get_json()["items"]
    starting = [u["name"] for u in items if u["name"].lower().startswith("s")]
    rest = [u["name"] for u in items if not u["name"].lower().startswith("s")]
    assert len(starting) > 10 and len(rest) > 20
    assert starting == sorted(starting, key=sort_key)
    assert rest == sorted(rest, key=sort_key)


def test_kinds_are_inferred_for_imported_units(demo):
    client = demo.test_client()
    assert find(client, SKHCN)["kind"] == "department"
    assert client.get("/api/orgunits/units?parent=root").get_json()["items"][0]["kind"] == "province"
