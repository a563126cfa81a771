"""Models drawn as a designer draws them in Camunda Modeler / bpmn.io: a pool in a collaboration, lanes, and
diagram information (every shape and edge placed), built from a short description so tests read like the
diagram. Nodes are laid out left to right in their lane's row."""
from __future__ import annotations

from dataclasses import dataclass, field
from xml.sax.saxutils import escape, quoteattr

BPMN = "http://www.omg.org/spec/BPMN/20100524/MODEL"
SIZES = {"startEvent": (36, 36), "endEvent": (36, 36), "exclusiveGateway": (50, 50), "parallelGateway": (50, 50),
         "intermediateCatchEvent": (36, 36), "intermediateThrowEvent": (36, 36), "boundaryEvent": (36, 36)}


def properties(values: dict[str, object]) -> str:
    if not values:
        return ""
    rows = "".join(f'<camunda:property name="{k}" value={quoteattr(str(v))}/>' for k, v in values.items())
    return f"<bpmn:extensionElements><camunda:properties>{rows}</camunda:properties></bpmn:extensionElements>"


def form(fields: list[tuple]) -> str:
    """(id, label, type[, required]) per field, as Camunda form data."""
    rows = []
    for spec in fields:
        field_id, label, kind = spec[:3]
        required = '<camunda:validation><camunda:constraint name="required"/></camunda:validation>' \
            if len(spec) > 3 and spec[3] else ""
        rows.append(f'<camunda:formField id="{field_id}" label={quoteattr(label)} type="{kind}">{required}'
                    "</camunda:formField>")
    return f"<camunda:formData>{''.join(rows)}</camunda:formData>"


@dataclass
class Node:
    tag: str
    id: str
    lane: str | None
    attrs: dict
    inner: str
    extensions: str = ""
    column: int = 0


@dataclass
class Model:
    key: str
    name: str
    props: dict = field(default_factory=dict)
    lanes: list[tuple[str, str, dict]] = field(default_factory=list)
    nodes: list[Node] = field(default_factory=list)
    flows: list[tuple[str, str, str, str | None]] = field(default_factory=list)
    extra: str = ""          # more elements of the process, written as they are (no diagram)
    outside: str = ""        # more root elements (messages, signals, other processes)

    def lane(self, lane_id: str, name: str, **props) -> str:
        self.lanes.append((lane_id, name, props))
        return lane_id

    def node(self, tag: str, node_id: str, lane: str | None, *, name: str | None = None, inner: str = "",
             extensions: str = "", **attrs) -> str:
        if name is not None:
            attrs["name"] = name
        self.nodes.append(Node(tag, node_id, lane, attrs, inner, extensions, column=len(self.nodes)))
        return node_id

    def start(self, node_id: str = "Start_1", lane: str | None = None, **kw) -> str:
        return self.node("startEvent", node_id, lane or self._first_lane(), **kw)

    def user(self, node_id: str, name: str, lane: str, *, fields: list[tuple] = (), props: dict | None = None,
             **kw) -> str:
        ext = ""
        if fields or props:
            inner_props = properties(props or {}).removeprefix("<bpmn:extensionElements>").removesuffix(
                "</bpmn:extensionElements>")
            ext = f"<bpmn:extensionElements>{form(list(fields)) if fields else ''}{inner_props}" \
                  "</bpmn:extensionElements>"
        return self.node("userTask", node_id, lane, name=name, extensions=ext, **kw)

    def xor(self, node_id: str, lane: str, name: str | None = None, default: str | None = None) -> str:
        attrs = {"default": default} if default else {}
        return self.node("exclusiveGateway", node_id, lane, name=name, **attrs)

    def end(self, node_id: str, lane: str, name: str | None = None, **props) -> str:
        return self.node("endEvent", node_id, lane, name=name, extensions=properties(props))

    def flow(self, source: str, target: str, condition: str | None = None, flow_id: str | None = None) -> str:
        flow_id = flow_id or f"Flow_{source}_{target}"
        self.flows.append((flow_id, source, target, condition))
        return flow_id

    def chain(self, *ids: str) -> None:
        for source, target in zip(ids, ids[1:], strict=False):
            self.flow(source, target)

    def _first_lane(self) -> str | None:
        return self.lanes[0][0] if self.lanes else None

    # ------------------------------------------------------------------------------------------ writing
    def _element(self, node: Node) -> str:
        incoming = "".join(f"<bpmn:incoming>{f}</bpmn:incoming>" for f, _s, t, _c in self.flows if t == node.id)
        outgoing = "".join(f"<bpmn:outgoing>{f}</bpmn:outgoing>" for f, s, _t, _c in self.flows if s == node.id)
        attrs = "".join(f" {k}={quoteattr(str(v))}" for k, v in node.attrs.items())
        return (f'<bpmn:{node.tag} id="{node.id}"{attrs}>{node.extensions}{incoming}{outgoing}{node.inner}'
                f"</bpmn:{node.tag}>")

    def _flow(self, flow_id: str, source: str, target: str, condition: str | None) -> str:
        body = (f'<bpmn:conditionExpression xsi:type="bpmn:tFormalExpression">{escape(condition)}'
                "</bpmn:conditionExpression>") if condition else ""
        return f'<bpmn:sequenceFlow id="{flow_id}" sourceRef="{source}" targetRef="{target}">{body}</bpmn:sequenceFlow>'

    def _bounds(self) -> dict[str, tuple[int, int, int, int]]:
        rows = {lane_id: i for i, (lane_id, _n, _p) in enumerate(self.lanes)}
        placed = {}
        for node in self.nodes:
            width, height = SIZES.get(node.tag, (100, 80))
            row = rows.get(node.lane, 0)
            x = 230 + node.column * 150 + (100 - width) // 2
            y = 80 + row * 200 + (200 - height) // 2
            placed[node.id] = (x, y, width, height)
        return placed

    def _diagram(self) -> str:
        placed = self._bounds()
        width = 200 + 150 * max(len(self.nodes), 1) + 100
        shapes = [f'<bpmndi:BPMNShape id="Pool_{self.key}_di" bpmnElement="Pool_{self.key}" isHorizontal="true">'
                  f'<dc:Bounds x="150" y="80" width="{width}" height="{200 * max(len(self.lanes), 1)}"/>'
                  "</bpmndi:BPMNShape>"]
        for i, (lane_id, _name, _props) in enumerate(self.lanes):
            shapes.append(f'<bpmndi:BPMNShape id="{lane_id}_di" bpmnElement="{lane_id}" isHorizontal="true">'
                          f'<dc:Bounds x="180" y="{80 + 200 * i}" width="{width - 30}" height="200"/>'
                          "</bpmndi:BPMNShape>")
        for node_id, (x, y, w, h) in placed.items():
            shapes.append(f'<bpmndi:BPMNShape id="{node_id}_di" bpmnElement="{node_id}">'
                          f'<dc:Bounds x="{x}" y="{y}" width="{w}" height="{h}"/></bpmndi:BPMNShape>')
        for flow_id, source, target, _c in self.flows:
            if source in placed and target in placed:
                sx, sy, sw, sh = placed[source]
                tx, ty, _tw, th = placed[target]
                shapes.append(f'<bpmndi:BPMNEdge id="{flow_id}_di" bpmnElement="{flow_id}">'
                              f'<di:waypoint x="{sx + sw}" y="{sy + sh // 2}"/>'
                              f'<di:waypoint x="{tx}" y="{ty + th // 2}"/></bpmndi:BPMNEdge>')
        return (f'<bpmndi:BPMNDiagram id="Diagram_{self.key}"><bpmndi:BPMNPlane id="Plane_{self.key}" '
                f'bpmnElement="Collaboration_{self.key}">{"".join(shapes)}</bpmndi:BPMNPlane></bpmndi:BPMNDiagram>')

    def process_xml(self) -> str:
        lanes = ""
        if self.lanes:
            rows = []
            for lane_id, name, props in self.lanes:
                refs = "".join(f"<bpmn:flowNodeRef>{n.id}</bpmn:flowNodeRef>" for n in self.nodes if n.lane == lane_id)
                rows.append(f'<bpmn:lane id="{lane_id}" name={quoteattr(name)}>{properties(props)}{refs}</bpmn:lane>')
            lanes = f'<bpmn:laneSet id="LaneSet_{self.key}">{"".join(rows)}</bpmn:laneSet>'
        body = "".join(self._element(n) for n in self.nodes) + "".join(self._flow(*f) for f in self.flows)
        head = f'<bpmn:process id="{self.key}" name={quoteattr(self.name)} isExecutable="true">'
        return f"{head}{properties(self.props)}{lanes}{body}{self.extra}</bpmn:process>"

    def xml(self) -> str:
        return ('<?xml version="1.0" encoding="UTF-8"?>\n'
                f'<bpmn:definitions xmlns:bpmn="{BPMN}" xmlns:bpmndi="http://www.omg.org/spec/BPMN/20100524/DI" '
                'xmlns:dc="http://www.omg.org/spec/DD/20100524/DC" xmlns:di="http://www.omg.org/spec/DD/20100524/DI" '
                'xmlns:camunda="http://camunda.org/schema/1.0/bpmn" '
                'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" '
                f'id="Definitions_{self.key}" targetNamespace="http://bpmn.io/schema/bpmn" exporter="Camunda Modeler" '
                f'exporterVersion="5.31.0"><bpmn:collaboration id="Collaboration_{self.key}">'
                f'<bpmn:participant id="Pool_{self.key}" name={quoteattr(self.name)} processRef="{self.key}"/>'
                f"</bpmn:collaboration>{self.process_xml()}{self.outside}{self._diagram()}</bpmn:definitions>")
