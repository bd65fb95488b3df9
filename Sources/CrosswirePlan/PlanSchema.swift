// The plan format (docs/PLAN.md) as a JSON Schema, for editors that validate
// and complete plans (the YAML language server's `$schema=` line). Kept in
// source, not as a resource, so that `crosswire schema` is one static string;
// docs/plan.schema.json is a committed copy, and tests hold both to the loader's
// keys (PlanKeys) and to every bundled plan.

/// The JSON Schema (draft 2020-12) of a plan file.
public enum PlanSchema {
    /// The schema text, without a final newline (`crosswire schema` prints it with one).
    public static let json = #"""
{
  "$schema": "https://json-schema.org/draft/2020-12/schema",
  "title": "Crosswire plan",
  "description": "How a cross-host container network is meant to be (docs/PLAN.md). Printed by `crosswire schema`.",
  "type": "object",
  "additionalProperties": false,
  "required": ["version", "name", "hosts", "transport", "nat", "routing"],
  "properties": {
    "version": { "description": "The plan format version: 1.", "const": 1 },
    "name": { "description": "Shown in reports and in the verdict's `plan` field.", "type": "string" },
    "description": { "description": "Free text.", "type": "string" },
    "underlay": {
      "description": "The hosts' physical network.",
      "type": "object",
      "additionalProperties": false,
      "properties": {
        "mtu": { "description": "MTU of the hosts' physical links.", "type": "integer", "minimum": 68, "maximum": 65535, "default": 1500 },
        "subnet": { "description": "The hosts' own segment.", "$ref": "#/$defs/prefix" }
      }
    },
    "hosts": {
      "description": "The container hosts.",
      "type": "array",
      "minItems": 1,
      "items": { "$ref": "#/$defs/host" }
    },
    "routers": {
      "description": "Other layer-3 devices of the plan (a routing layer).",
      "type": "array",
      "items": { "$ref": "#/$defs/router" }
    },
    "transport": {
      "description": "How container traffic crosses from host to host.",
      "type": "object",
      "additionalProperties": false,
      "required": ["mode"],
      "properties": {
        "mode": {
          "description": "routed: no tunnel; bridged: switched on the underlay's segment; vxlan, geneve, ipip: that tunnel.",
          "enum": ["routed", "bridged", "vxlan", "geneve", "ipip"]
        },
        "mtu": { "description": "The containers' (inner) MTU.", "type": "integer", "minimum": 68, "maximum": 65535 },
        "vxlan": { "description": "VXLAN settings; needed when mode is vxlan.", "$ref": "#/$defs/vxlan" },
        "geneve": { "description": "GENEVE settings; needed when mode is geneve.", "$ref": "#/$defs/geneve" },
        "max_overhead_ratio": {
          "description": "encap.overhead fails when the tunnel's overhead_ratio is above this.",
          "type": "number", "minimum": 0, "maximum": 1
        },
        "max_loss": {
          "description": "path.delivery fails when the share of packets lost between hosts is above this (default 0).",
          "type": "number", "minimum": 0, "maximum": 1
        }
      }
    },
    "nat": {
      "description": "none: container addresses cross hosts unchanged; masquerade: source NAT to the owner host's address is intended; allowed: NAT is not checked.",
      "enum": ["none", "masquerade", "allowed"]
    },
    "services": {
      "description": "Service CIDRs (Kubernetes ClusterIP ranges) whose DNAT to a container address is intended.",
      "type": "array",
      "items": { "$ref": "#/$defs/prefix" }
    },
    "publish": {
      "description": "Port mappings that are intended (docker run -p).",
      "type": "array",
      "items": { "$ref": "#/$defs/publish" }
    },
    "routes": {
      "description": "Static next hops. Absent: every host reaches every other host's containers via that host's address. []: no cross-host routes.",
      "type": "array",
      "items": { "$ref": "#/$defs/route" }
    },
    "routing": {
      "description": "The routing protocol and what it should show.",
      "type": "object",
      "additionalProperties": false,
      "required": ["protocol"],
      "properties": {
        "protocol": { "enum": ["static", "bgp", "ospf"] },
        "bgp": {
          "description": "Expectations for BGP sessions; ASNs are per host.",
          "type": "object",
          "additionalProperties": false,
          "properties": {
            "hold_time": {
              "description": "Hold time every OPEN should carry, seconds: 0 or 3 to 65535 (RFC 4271).",
              "type": "integer", "minimum": 0, "maximum": 65535, "not": { "enum": [1, 2] }
            }
          }
        },
        "ospf": {
          "description": "Expectations for OSPF Hellos.",
          "type": "object",
          "additionalProperties": false,
          "properties": {
            "area": {
              "description": "Dotted (0.0.0.0) or an integer (0).",
              "anyOf": [
                { "$ref": "#/$defs/ipv4" },
                { "type": "integer", "minimum": 0, "maximum": 4294967295 }
              ]
            },
            "hello_interval": { "description": "Seconds.", "type": "integer", "minimum": 1, "maximum": 65535 },
            "dead_interval": { "description": "Seconds; longer than hello_interval.", "type": "integer", "minimum": 1, "maximum": 4294967295 }
          }
        }
      }
    }
  },
  "$defs": {
    "ipv4": {
      "type": "string",
      "pattern": "^(25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])(\\.(25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])){3}$"
    },
    "ipv6": {
      "type": "string",
      "pattern": "^[0-9A-Fa-f.]*:[0-9A-Fa-f:.]*$"
    },
    "address": {
      "description": "An IPv4 or IPv6 address.",
      "anyOf": [{ "$ref": "#/$defs/ipv4" }, { "$ref": "#/$defs/ipv6" }]
    },
    "prefix4": {
      "type": "string",
      "pattern": "^(25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])(\\.(25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])){3}/(3[0-2]|[12]?[0-9])$"
    },
    "prefix6": {
      "type": "string",
      "pattern": "^[0-9A-Fa-f.]*:[0-9A-Fa-f:.]*/(12[0-8]|1[01][0-9]|[1-9]?[0-9])$"
    },
    "prefix": {
      "description": "An address with its /length (192.168.10.0/24, fd00:10::/64); host bits may be set (Docker's bip form).",
      "anyOf": [{ "$ref": "#/$defs/prefix4" }, { "$ref": "#/$defs/prefix6" }]
    },
    "addresses": {
      "description": "One address, or a list of one IPv4 and one IPv6 address (dual stack).",
      "anyOf": [
        { "$ref": "#/$defs/address" },
        { "type": "array", "minItems": 1, "maxItems": 1, "items": { "$ref": "#/$defs/address" } },
        { "type": "array", "minItems": 2, "prefixItems": [{ "$ref": "#/$defs/ipv4" }, { "$ref": "#/$defs/ipv6" }], "items": false },
        { "type": "array", "minItems": 2, "prefixItems": [{ "$ref": "#/$defs/ipv6" }, { "$ref": "#/$defs/ipv4" }], "items": false }
      ]
    },
    "prefixes": {
      "description": "One prefix, or a list of one IPv4 and one IPv6 prefix (dual stack).",
      "anyOf": [
        { "$ref": "#/$defs/prefix" },
        { "type": "array", "minItems": 1, "maxItems": 1, "items": { "$ref": "#/$defs/prefix" } },
        { "type": "array", "minItems": 2, "prefixItems": [{ "$ref": "#/$defs/prefix4" }, { "$ref": "#/$defs/prefix6" }], "items": false },
        { "type": "array", "minItems": 2, "prefixItems": [{ "$ref": "#/$defs/prefix6" }, { "$ref": "#/$defs/prefix4" }], "items": false }
      ]
    },
    "mac": {
      "description": "A MAC address (02:42:c0:a8:38:77 or with -). Quote it: YAML 1.1 reads an all-digit one as a number.",
      "type": "string",
      "pattern": "^[0-9A-Fa-f]{1,2}([:-][0-9A-Fa-f]{1,2}){5}$"
    },
    "port": { "type": "integer", "minimum": 1, "maximum": 65535 },
    "host": {
      "description": "A machine running containers.",
      "type": "object",
      "additionalProperties": false,
      "required": ["name", "address", "containers"],
      "properties": {
        "name": { "description": "Unique among hosts and routers.", "type": "string" },
        "address": { "description": "The host's underlay (NIC) address, or one per family.", "$ref": "#/$defs/addresses" },
        "mac": { "description": "The NIC's MAC; enables L2 next-hop checks.", "$ref": "#/$defs/mac" },
        "containers": { "description": "This host's container subnet (Docker bip), or one per family.", "$ref": "#/$defs/prefixes" },
        "gateway": { "description": "The container bridge's own address.", "$ref": "#/$defs/address" },
        "asn": { "description": "BGP AS number of this host.", "type": "integer", "minimum": 1, "maximum": 4294967295 },
        "router_id": { "description": "BGP/OSPF router id.", "$ref": "#/$defs/ipv4" }
      }
    },
    "router": {
      "description": "A layer-3 device of the plan that is not a container host.",
      "type": "object",
      "additionalProperties": false,
      "required": ["name", "address"],
      "properties": {
        "name": { "description": "Unique among hosts and routers.", "type": "string" },
        "address": { "description": "The router's underlay address, or one per family.", "$ref": "#/$defs/addresses" },
        "mac": { "$ref": "#/$defs/mac" }
      }
    },
    "vxlan": {
      "type": "object",
      "additionalProperties": false,
      "required": ["vni"],
      "properties": {
        "vni": { "type": "integer", "minimum": 0, "maximum": 16777215 },
        "port": { "description": "UDP destination port (flannel uses 8472).", "$ref": "#/$defs/port", "default": 4789 }
      }
    },
    "geneve": {
      "type": "object",
      "additionalProperties": false,
      "required": ["vni"],
      "properties": {
        "vni": { "type": "integer", "minimum": 0, "maximum": 16777215 },
        "port": { "description": "UDP destination port.", "$ref": "#/$defs/port", "default": 6081 }
      }
    },
    "publish": {
      "description": "An intended port mapping: the host's address and port to a container's address and port.",
      "type": "object",
      "additionalProperties": false,
      "required": ["host", "port", "protocol", "to"],
      "properties": {
        "host": { "description": "A host's name.", "type": "string" },
        "port": { "description": "The published port on the host's address.", "$ref": "#/$defs/port" },
        "protocol": { "enum": ["tcp", "udp"] },
        "to": {
          "description": "The container's address:port (192.168.20.2:80, [fd00::2]:80).",
          "type": "string",
          "pattern": "^([0-9.]+|\\[[0-9A-Fa-f:.]+\\]):[0-9]{1,5}$"
        }
      }
    },
    "route": {
      "description": "At node `at`, traffic to `to` goes to the next hop `via`.",
      "type": "object",
      "additionalProperties": false,
      "required": ["at", "to", "via"],
      "properties": {
        "at": { "description": "A host's or router's name.", "type": "string" },
        "to": { "$ref": "#/$defs/prefix" },
        "via": { "$ref": "#/$defs/address" }
      }
    }
  }
}
"""#
}
