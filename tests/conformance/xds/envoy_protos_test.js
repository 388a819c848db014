#!/usr/bin/env node
// meshgw's xDS against Envoy's official API protos (from the npm package @grpc/grpc-js-xds).
//
//   node envoy_protos_test.js --modules <node_modules> --server <xds_conformance_server>
//                             --client <xds_conformance_client> --workdir <dir>
//
// Part 1: a Delta ADS client built on the official definitions talks to meshgw's server, subscribes
// to every type, decodes every resource and compares each field with what it told the server to
// serve; ACKs, NACKs one update (the server must log it and keep going), then reconnects with
// initial_resource_versions (nothing unchanged may be resent).
// Part 2: a Delta ADS server built on the official definitions serves a mesh-gateway configuration
// shaped like Consul's to meshgw's client, which must ACK all of it (and decode every field), and
// NACK an unsupported filter with an error that names it.
//
// Prints "envoy-protos: N resources checked, M mismatches"; any failed check prints "FAIL: ..." and
// the exit code is 1.
'use strict';

const fs = require('fs');
const path = require('path');
const { spawn } = require('child_process');
const readline = require('readline');

function parseArgs(argv) {
  const out = {};
  for (let i = 0; i + 1 < argv.length; i += 2) out[argv[i].replace(/^--/, '')] = argv[i + 1];
  for (const key of ['modules', 'server', 'client', 'workdir']) {
    if (!out[key]) throw new Error(`missing --${key}`);
  }
  return out;
}
const args = parseArgs(process.argv.slice(2));
const grpc = require(path.join(args.modules, '@grpc/grpc-js'));
const protoLoader = require(path.join(args.modules, '@grpc/proto-loader'));
const protobuf = require(path.join(args.modules, 'protobufjs'));
const DEPS = path.join(args.modules, '@grpc/grpc-js-xds/deps');
const INCLUDE_DIRS = ['envoy-api', 'xds', 'googleapis', 'protoc-gen-validate'].map((d) => path.join(DEPS, d));
fs.mkdirSync(args.workdir, { recursive: true });

// ---- the official definitions ------------------------------------------------------------------
const FILES = [
  'envoy/service/discovery/v3/ads.proto',
  'envoy/config/cluster/v3/cluster.proto',
  'envoy/config/endpoint/v3/endpoint.proto',
  'envoy/config/listener/v3/listener.proto',
  'envoy/config/core/v3/extension.proto',
  'envoy/extensions/transport_sockets/tls/v3/tls.proto',
  'envoy/extensions/transport_sockets/tls/v3/secret.proto',
  'envoy/extensions/filters/listener/tls_inspector/v3/tls_inspector.proto',
  'envoy/extensions/filters/network/tcp_proxy/v3/tcp_proxy.proto',
  'envoy/extensions/filters/network/sni_cluster/v3/sni_cluster.proto',
  'envoy/extensions/filters/network/rbac/v3/rbac.proto',
  'envoy/extensions/filters/network/connection_limit/v3/connection_limit.proto',
  'envoy/extensions/filters/network/http_connection_manager/v3/http_connection_manager.proto',
  'envoy/extensions/filters/http/router/v3/router.proto',
];
const root = new protobuf.Root();
root.resolvePath = (origin, target) => {
  for (const dir of INCLUDE_DIRS) {
    const candidate = path.join(dir, target);
    if (fs.existsSync(candidate)) return candidate;
  }
  return target; // google/protobuf/*: bundled with protobufjs
};
root.loadSync(FILES, { keepCase: true });
root.resolveAll();
const adsDefinition = protoLoader.loadSync(FILES[0], {
  keepCase: true, longs: String, enums: String, defaults: false, oneofs: false, includeDirs: INCLUDE_DIRS,
});
const Ads = grpc.loadPackageDefinition(adsDefinition).envoy.service.discovery.v3.AggregatedDiscoveryService;

const PREFIX = 'type.googleapis.com/';
const CLUSTER = PREFIX + 'envoy.config.cluster.v3.Cluster';
const ENDPOINTS = PREFIX + 'envoy.config.endpoint.v3.ClusterLoadAssignment';
const LISTENER = PREFIX + 'envoy.config.listener.v3.Listener';
const SECRET = PREFIX + 'envoy.extensions.transport_sockets.tls.v3.Secret';
const EXTENSION = PREFIX + 'envoy.config.core.v3.TypedExtensionConfig';
const TYPES = [CLUSTER, ENDPOINTS, SECRET, EXTENSION, LISTENER];
const RBAC_TYPE = 'envoy.extensions.filters.network.rbac.v3.RBAC';
const TOKEN = 'conformance-token';

function lookup(typeUrl) { return root.lookupType(typeUrl.slice(typeUrl.lastIndexOf('/') + 1)); }
function encode(typeUrl, object) {
  const type = lookup(typeUrl);
  const problem = type.verify(type.fromObject(object));
  if (problem) throw new Error(`${typeUrl}: ${problem}`);
  return Buffer.from(type.encode(type.fromObject(object)).finish());
}
function any(typeName, object) {
  return { type_url: PREFIX + typeName, value: encode(PREFIX + typeName, object) };
}
// A decoded message as a plain object, Any payloads decoded in place, for comparison.
function canon(type, message) {
  const object = type.toObject(message, { longs: String, enums: String, bytes: String, defaults: false });
  return expand(type, object);
}
function expand(type, object) {
  const out = {};
  for (const [key, value] of Object.entries(object)) {
    const field = type.fields[key];
    if (!field) { out[key] = value; continue; }
    const resolved = field.resolve().resolvedType;
    // proto3: a scalar or enum at its default value is the same as an absent one (outside oneofs).
    if (!field.repeated && !field.map && !field.partOf && !(resolved instanceof protobuf.Type)) {
      const zero = resolved instanceof protobuf.Enum ? resolved.valuesById[0] : undefined;
      if (value === 0 || value === '0' || value === '' || value === false || (zero !== undefined && value === zero)) continue;
    }
    const convert = (v) => {
      if (!(resolved instanceof protobuf.Type)) return v;
      if (resolved.fullName === '.google.protobuf.Any') {
        const inner = lookup(v.type_url);
        return { '@type': v.type_url, ...canon(inner, inner.decode(Buffer.from(v.value || '', 'base64'))) };
      }
      return expand(resolved, v);
    };
    if (field.map) out[key] = Object.fromEntries(Object.entries(value).map(([k, v]) => [k, convert(v)]));
    else if (field.repeated) out[key] = value.map(convert);
    else out[key] = convert(value);
  }
  return out;
}
function canonBytes(typeUrl, bytes) { const t = lookup(typeUrl); return canon(t, t.decode(bytes)); }
function stable(value) {
  if (Array.isArray(value)) return value.map(stable);
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.keys(value).sort().map((k) => [k, stable(value[k])]));
  }
  return value;
}
function firstDifference(a, b, where = '') {
  if (JSON.stringify(stable(a)) === JSON.stringify(stable(b))) return null;
  if (a && b && typeof a === 'object' && typeof b === 'object') {
    for (const key of new Set([...Object.keys(a), ...Object.keys(b)])) {
      const d = firstDifference(a[key], b[key], `${where}.${key}`);
      if (d) return d;
    }
  }
  return `${where || '.'}: want ${JSON.stringify(a)}, got ${JSON.stringify(b)}`;
}

// ---- results -----------------------------------------------------------------------------------
let checked = 0;
let mismatches = 0;
let failures = 0;
function fail(message) { failures++; console.log(`FAIL: ${message}`); }
function check(condition, message) { if (!condition) fail(message); return condition; }
function compareResource(what, typeUrl, wantBytes, gotBytes) {
  checked++;
  const difference = firstDifference(canonBytes(typeUrl, wantBytes), canonBytes(typeUrl, gotBytes));
  if (difference) { mismatches++; fail(`${what}: ${difference}`); }
}

// ---- the configuration, shaped like Consul's mesh gateway (reference/xds.md §1.6) ---------------
const TD = '11111111-2222-3333-4444-555555555555.consul';
const TD2 = '99999999-8888-7777-6666-555555555555.consul';
const PEM_ROOT = '-----BEGIN CERTIFICATE-----\nMIIBroot\n-----END CERTIFICATE-----\n';
const PEM_LEAF = '-----BEGIN CERTIFICATE-----\nMIIBleaf\n-----END CERTIFICATE-----\n';
const PEM_KEY = '-----BEGIN EC PRIVATE KEY-----\nMHcCAQEE\n-----END EC PRIVATE KEY-----\n';
const ADS = { ads: {}, resource_api_version: 'V3' };
const sds = (name) => ({ name, sds_config: ADS });
// A network RBAC filter whose configuration comes over ECDS (the TypedExtensionConfig `name`).
const discoveredRbac = (name, extra = {}) => ({
  name, config_discovery: { config_source: ADS, type_urls: [PREFIX + RBAC_TYPE], ...extra },
});
const intentions = (name, principal) => ({
  name,
  typed_config: any(RBAC_TYPE, {
    stat_prefix: 'connect_authz',
    rules: { action: 'ALLOW', policies: { 'consul-intentions-layer4': { permissions: [{ any: true }], principals: [{ authenticated: { principal_name: { exact: principal } } }] } } },
  }),
});
const tcpProxy = (statPrefix, cluster, extra = {}) => ({
  name: 'envoy.filters.network.tcp_proxy',
  typed_config: any('envoy.extensions.filters.network.tcp_proxy.v3.TcpProxy', { stat_prefix: statPrefix, cluster, ...extra }),
});
const socket = (address, port) => ({ socket_address: { address, port_value: port } });
const lbEndpoint = (address, port, health, extra = {}) => ({ endpoint: { address: socket(address, port), ...extra }, health_status: health });

// Every message and field of the contract, for part 1.
function part1Resources(variant) {
  const cluster1 = {
    name: `api.default.dc2.internal.${TD}`,
    type: 'EDS',
    eds_cluster_config: { eds_config: ADS, service_name: `api.default.dc2.internal.${TD}` },
    connect_timeout: { seconds: variant.connectTimeout || 5 },
    lb_policy: 'LEAST_REQUEST',
    circuit_breakers: { thresholds: [{ priority: 'HIGH', max_connections: { value: 4096 }, max_pending_requests: { value: 1024 }, max_requests: { value: 2048 }, max_retries: { value: 3 } }] },
    outlier_detection: {},
    transport_socket: {
      name: 'tls',
      typed_config: any('envoy.extensions.transport_sockets.tls.v3.UpstreamTlsContext', {
        common_tls_context: {
          tls_params: { tls_minimum_protocol_version: 'TLSv1_2', tls_maximum_protocol_version: 'TLSv1_3', cipher_suites: ['ECDHE-ECDSA-AES128-GCM-SHA256'], ecdh_curves: ['X25519'] },
          tls_certificates: [{ certificate_chain: { inline_string: PEM_LEAF }, private_key: { inline_string: PEM_KEY } }],
          validation_context: {
            trusted_ca: { inline_string: PEM_ROOT },
            match_typed_subject_alt_names: [{ san_type: 'URI', matcher: { exact: `spiffe://${TD}/ns/default/dc/dc2/svc/api` } }],
          },
          alpn_protocols: ['h2', 'http/1.1'],
        },
        sni: `api.default.dc2.internal.${TD}`,
        max_session_keys: { value: 0 },
      }),
    },
    per_connection_buffer_limit_bytes: { value: 32768 },
  };
  const cluster2 = {
    name: `dc2.internal.${TD}`,
    type: 'EDS',
    eds_cluster_config: { eds_config: ADS },
    connect_timeout: { seconds: 5 },
    outlier_detection: {
      consecutive_5xx: { value: 5 }, interval: { seconds: 10 }, base_ejection_time: { seconds: 30 },
      max_ejection_percent: { value: 10 }, enforcing_consecutive_5xx: { value: 100 },
      consecutive_gateway_failure: { value: 5 }, enforcing_consecutive_gateway_failure: { value: 0 },
      split_external_local_origin_errors: true, consecutive_local_origin_failure: { value: 5 },
      enforcing_consecutive_local_origin_failure: { value: 100 }, failure_percentage_threshold: { value: 85 },
      enforcing_failure_percentage: { value: 0 }, failure_percentage_minimum_hosts: { value: 5 },
      failure_percentage_request_volume: { value: 50 }, max_ejection_time: { seconds: 300 },
    },
  };
  const cluster3 = {
    name: `server.dc1.peering.${TD}`,
    type: 'STATIC',
    connect_timeout: { seconds: 5, nanos: 500000000 },
    lb_policy: 'RANDOM',
    load_assignment: { cluster_name: `server.dc1.peering.${TD}`, endpoints: [{ lb_endpoints: [lbEndpoint('127.0.0.1', 8503, 'HEALTHY')] }] },
  };
  const cla1 = {
    cluster_name: `api.default.dc2.internal.${TD}`,
    endpoints: [
      {
        locality: { region: 'us-east-1', zone: 'us-east-1a', sub_zone: 'rack-1' },
        lb_endpoints: [
          lbEndpoint('10.0.2.10', 21000, 'HEALTHY', { hostname: 'api-1' }),
          { ...lbEndpoint('10.0.2.11', 21000, 'UNHEALTHY'), load_balancing_weight: { value: 10 } },
        ],
        load_balancing_weight: { value: 100 },
        priority: 0,
      },
      { locality: { region: 'us-west-2' }, lb_endpoints: [lbEndpoint('10.0.3.10', 21000, 'DRAINING'), lbEndpoint('10.0.3.11', 21000, 'DEGRADED')], priority: 1 },
    ],
    policy: { overprovisioning_factor: { value: 140 } },
  };
  const cla2 = {
    cluster_name: `dc2.internal.${TD}`,
    endpoints: [{ lb_endpoints: [lbEndpoint('192.0.2.10', variant.gatewayPort || 8443, 'HEALTHY'), lbEndpoint('192.0.2.11', 8443, 'TIMEOUT')] }],
  };
  const listener = {
    name: 'default:10.0.0.5:8443',
    address: socket('10.0.0.5', 8443),
    listener_filters: [{ name: 'envoy.filters.listener.tls_inspector', typed_config: any('envoy.extensions.filters.listener.tls_inspector.v3.TlsInspector', { initial_read_buffer_size: { value: 4096 } }) }],
    listener_filters_timeout: { seconds: 5 },
    continue_on_listener_filters_timeout: false,
    traffic_direction: 'INBOUND',
    per_connection_buffer_limit_bytes: { value: 32768 },
    stat_prefix: 'mesh_gateway',
    filter_chains: [
      {
        name: 'peered-api-tcp',
        filter_chain_match: { server_names: [`api.default.default.dc2.external.${TD2}`] },
        filters: [
          { name: 'envoy.filters.network.connection_limit', typed_config: any('envoy.extensions.filters.network.connection_limit.v3.ConnectionLimit', { stat_prefix: 'peered_api', max_connections: { value: '1000' }, delay: { nanos: 100000000 } }) },
          tcpProxy('mesh_gateway_local_peered.api.default.default.dc2', `exported~api.default.dc1.internal.${TD}`),
        ],
      },
      {
        name: 'peered-web-terminated',
        filter_chain_match: { server_names: [`web.default.default.dc2.external.${TD2}`], transport_protocol: 'tls', application_protocols: ['h2', 'http/1.1'] },
        filters: [
          {
            name: 'envoy.filters.network.rbac',
            typed_config: any('envoy.extensions.filters.network.rbac.v3.RBAC', {
              stat_prefix: 'connect_authz',
              enforcement_type: 'CONTINUOUS',
              rules: {
                action: 'ALLOW',
                policies: {
                  'consul-intentions-layer4': {
                    permissions: [{ any: true }],
                    principals: [
                      { authenticated: { principal_name: { exact: `spiffe://${TD2}/ns/default/dc/dc2/svc/frontend` } } },
                      { authenticated: { principal_name: { prefix: `spiffe://${TD2}/ns/default/` } } },
                      { authenticated: { principal_name: { safe_regex: { regex: '^spiffe://[^/]+/ns/default/dc/[^/]+/svc/(web|api)$' } } } },
                    ],
                  },
                  'deny-legacy': {
                    permissions: [{ requested_server_name: { suffix: '.legacy', ignore_case: true } }],
                    principals: [{ or_ids: { ids: [{ any: true }, { not_id: { authenticated: { principal_name: { contains: '/svc/admin' } } } }] } }],
                  },
                },
              },
            }),
          },
          tcpProxy('mesh_gateway_local_peered.web.default.default.dc2', `web.default.dc1.internal.${TD}`),
        ],
        transport_socket: {
          name: 'tls',
          typed_config: any('envoy.extensions.transport_sockets.tls.v3.DownstreamTlsContext', {
            common_tls_context: {
              tls_params: { tls_minimum_protocol_version: 'TLSv1_2' },
              tls_certificate_sds_secret_configs: [sds('mesh-gateway-leaf')],
              combined_validation_context: {
                default_validation_context: { match_typed_subject_alt_names: [{ san_type: 'URI', matcher: { prefix: `spiffe://${TD2}/` } }] },
                validation_context_sds_secret_config: sds('peer-dc2-bundle'),
              },
              alpn_protocols: ['http/1.1'],
            },
            require_client_certificate: { value: true },
            require_sni: { value: true },
            session_timeout: { seconds: 300 },
            disable_stateless_session_resumption: true,
          }),
        },
      },
      {
        name: 'peered-db-terminated',
        filter_chain_match: { server_names: [`db.default.default.dc2.external.${TD2}`] },
        filters: [
          discoveredRbac('intentions~db', { default_config: any(RBAC_TYPE, { stat_prefix: 'connect_authz', rules: { action: 'ALLOW' } }) }),
          tcpProxy('mesh_gateway_local_peered.db.default.default.dc2', `exported~db.default.dc1.internal.${TD}`),
        ],
        transport_socket: {
          name: 'tls',
          typed_config: any('envoy.extensions.transport_sockets.tls.v3.DownstreamTlsContext', {
            common_tls_context: { tls_certificate_sds_secret_configs: [sds('mesh-gateway-leaf')], validation_context_sds_secret_config: sds('peer-dc2-bundle') },
            require_client_certificate: { value: true },
          }),
        },
      },
      {
        name: 'remote-dc2',
        filter_chain_match: { server_names: [`*.dc2.internal.${TD}`] },
        filters: [tcpProxy('mesh_gateway_remote.default.dc2', undefined, {
          weighted_clusters: { clusters: [{ name: `dc2.internal.${TD}`, weight: 3 }, { name: `dc2-b.internal.${TD}`, weight: 1 }] },
          idle_timeout: { seconds: 3600 }, max_connect_attempts: { value: 3 },
        })],
      },
      {
        filter_chain_match: { server_names: [`server.dc1.peering.${TD}`], destination_port: { value: 8443 } },
        filters: [tcpProxy('mesh_gateway_local_peering_server.default', `server.dc1.peering.${TD}`)],
      },
      {
        filters: [
          { name: 'envoy.filters.network.sni_cluster', typed_config: any('envoy.extensions.filters.network.sni_cluster.v3.SniCluster', {}) },
          tcpProxy('mesh_gateway_local.default', ''),
        ],
      },
    ],
  };
  const leaf = { name: 'mesh-gateway-leaf', tls_certificate: { certificate_chain: { inline_string: PEM_LEAF }, private_key: { inline_bytes: Buffer.from(PEM_KEY).toString('base64') } } };
  const bundle = {
    name: 'peer-dc2-bundle',
    validation_context: {
      trusted_ca: { filename: '/etc/meshgw/peer-dc2.pem' },
      trust_chain_verification: 'VERIFY_TRUST_CHAIN',
      match_typed_subject_alt_names: [{ san_type: 'URI', matcher: { prefix: `spiffe://${TD2}/` } }],
    },
  };
  const resources = [
    [CLUSTER, cluster1], [CLUSTER, cluster2], [CLUSTER, cluster3],
    [ENDPOINTS, cla1], [ENDPOINTS, cla2],
    [LISTENER, listener],
    [SECRET, leaf],
    [EXTENSION, intentions('intentions~db', `spiffe://${TD2}/ns/default/dc/dc2/svc/frontend`)],
  ];
  if (!variant.withoutBundle) resources.push([SECRET, bundle]);
  return resources.map(([typeUrl, object]) => ({ typeUrl, name: object.name || object.cluster_name, bytes: encode(typeUrl, object) }));
}

// What Consul's mesh gateway gets (listeners.go/clusters.go), for part 2. `extras` adds fields a
// fuller sender has and meshgw's protos do not: they must be ignored.
function consulMeshGateway(extras) {
  const x = (object) => (extras ? object : {});
  const cluster = (name) => ({ name, type: 'EDS', eds_cluster_config: { eds_config: ADS }, connect_timeout: { seconds: 5 }, outlier_detection: {}, ...x({ dns_lookup_family: 'V4_ONLY', alt_stat_name: name }) });
  const cla = (name, address, port) => ({ cluster_name: name, endpoints: [{ lb_endpoints: [lbEndpoint(address, port, 'HEALTHY')] }] });
  const names = {
    exported: `exported~api.default.dc1.internal.${TD}`,
    local: `api.default.dc1.internal.${TD}`,
    remote: `dc2.internal.${TD}`,
    peering: `server.dc1.peering.${TD}`,
    remotePeering: `server.dc2.peering.${TD2}`,
  };
  const listener = {
    name: 'default:10.0.1.5:8443',
    address: socket('10.0.1.5', 8443),
    listener_filters: [{ name: 'envoy.filters.listener.tls_inspector', typed_config: any('envoy.extensions.filters.listener.tls_inspector.v3.TlsInspector', {}) }],
    ...x({ enable_reuse_port: { value: true } }),
    filter_chains: [
      { filter_chain_match: { server_names: [`api.default.default.dc2.external.${TD}`] }, filters: [tcpProxy('mesh_gateway_local_peered.api.default.default.dc2', names.exported, x({ max_downstream_connection_duration: { seconds: 60 } }))] },
      {
        filter_chain_match: { server_names: [`web.default.default.dc2.external.${TD}`] },
        filters: [discoveredRbac('intentions~web'), tcpProxy('mesh_gateway_local_peered.web.default.default.dc2', names.local)],
        transport_socket: {
          name: 'envoy.transport_sockets.tls',
          typed_config: any('envoy.extensions.transport_sockets.tls.v3.DownstreamTlsContext', {
            common_tls_context: { tls_certificate_sds_secret_configs: [sds('mesh-gateway-leaf')], validation_context_sds_secret_config: sds('peer-bundle~dc2') },
            require_client_certificate: { value: true },
          }),
        },
      },
      { filter_chain_match: { server_names: [`*.dc2.internal.${TD}`] }, filters: [tcpProxy('mesh_gateway_remote.default.dc2', names.remote)] },
      { filter_chain_match: { server_names: [names.peering] }, filters: [tcpProxy('mesh_gateway_local_peering_server.default', names.peering)] },
      { filter_chain_match: { server_names: [names.remotePeering] }, filters: [tcpProxy('mesh_gateway_remote_peering_servers.dc2', names.remotePeering)] },
      { filters: [{ name: 'envoy.filters.network.sni_cluster', typed_config: any('envoy.extensions.filters.network.sni_cluster.v3.SniCluster', {}) }, tcpProxy('mesh_gateway_local.default', '')] },
    ],
  };
  const resources = [
    [CLUSTER, cluster(names.exported)], [CLUSTER, cluster(names.local)], [CLUSTER, cluster(names.remote)],
    [CLUSTER, cluster(names.peering)], [CLUSTER, cluster(names.remotePeering)],
    [ENDPOINTS, cla(names.exported, '10.0.1.20', 21000)], [ENDPOINTS, cla(names.local, '10.0.1.20', 21000)],
    [ENDPOINTS, cla(names.remote, '192.0.2.10', 8443)], [ENDPOINTS, cla(names.peering, '10.0.1.2', 8503)],
    [ENDPOINTS, cla(names.remotePeering, '192.0.2.20', 8503)],
    [LISTENER, listener],
    [SECRET, { name: 'mesh-gateway-leaf', tls_certificate: { certificate_chain: { inline_string: PEM_LEAF }, private_key: { inline_string: PEM_KEY } } }],
    [SECRET, { name: 'peer-bundle~dc2', validation_context: { trusted_ca: { inline_string: PEM_ROOT } } }],
    [EXTENSION, intentions('intentions~web', `spiffe://${TD}/ns/default/dc/dc2/svc/frontend`)],
  ];
  return resources.map(([typeUrl, object]) => ({ typeUrl, name: object.name || object.cluster_name, bytes: encode(typeUrl, object) }));
}

// ---- process and stream helpers ----------------------------------------------------------------
class Child {
  constructor(binary, argv) {
    this.proc = spawn(binary, argv, { stdio: ['pipe', 'pipe', 'pipe'] });
    this.lines = [];
    this.stderr = '';
    this.waiters = [];
    readline.createInterface({ input: this.proc.stdout }).on('line', (line) => { this.lines.push(line); this.wake(); });
    this.proc.stderr.on('data', (d) => { this.stderr += d.toString(); this.wake(); });
  }
  wake() { for (const w of this.waiters.splice(0)) w(); }
  async until(predicate, ms, what) {
    const deadline = Date.now() + ms;
    while (!predicate()) {
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`timed out waiting for ${what}`);
      await new Promise((resolve) => { this.waiters.push(resolve); setTimeout(resolve, Math.min(left, 50)); });
    }
  }
  async line(prefix, ms = 10000) {
    let found;
    await this.until(() => (found = this.lines.findIndex((l) => l.startsWith(prefix))) >= 0, ms, `"${prefix}" from ${path.basename(this.proc.spawnfile)}`);
    return this.lines.splice(found, 1)[0];
  }
  stop() { try { this.proc.stdin.end(); } catch (e) { /* gone */ } setTimeout(() => this.proc.kill('SIGKILL'), 2000).unref(); }
}

class Queue {
  constructor() { this.items = []; this.waiters = []; this.error = null; }
  push(item) { this.items.push(item); for (const w of this.waiters.splice(0)) w(); }
  async next(ms) {
    const deadline = Date.now() + ms;
    while (this.items.length === 0) {
      if (this.error) throw this.error;
      const left = deadline - Date.now();
      if (left <= 0) return null;
      await new Promise((resolve) => { this.waiters.push(resolve); setTimeout(resolve, Math.min(left, 50)); });
    }
    return this.items.shift();
  }
}

function summary(r) {
  if (!r) return 'nothing';
  return `${r.type_url.split('.').pop()} [${(r.resources || []).map((x) => x.name)}] removed [${r.removed_resources || []}]`;
}

function writeConfig(name, resources) {
  const file = path.join(args.workdir, name);
  fs.writeFileSync(file, JSON.stringify({ resources: resources.map((r) => ({ type_url: r.typeUrl, value: r.bytes.toString('base64') })) }));
  return file;
}

function openStream(port, token) {
  const client = new Ads(`127.0.0.1:${port}`, grpc.credentials.createInsecure());
  const metadata = new grpc.Metadata();
  if (token) metadata.set('x-consul-token', token);
  const call = client.DeltaAggregatedResources(metadata);
  const responses = new Queue();
  call.on('data', (r) => responses.push(r));
  call.on('error', (e) => { responses.error = e; responses.push(null); });
  call.on('end', () => {});
  return { client, call, responses };
}

// ---- part 1: our server, the official client ----------------------------------------------------
async function part1() {
  const server = new Child(args.server, ['--token', TOKEN, '--node', 'gw-conformance']);
  try {
    const port = Number((await server.line('listening ')).split(' ')[1]);
    const v1 = part1Resources({});
    server.proc.stdin.write(`load ${writeConfig('v1.json', v1)}\n`);
    check((await server.line('loaded ')) === `loaded ${v1.length}`, 'the server loads the first configuration');

    // A stream with an unknown token is refused, and the log names the node.
    {
      const { client, call, responses } = openStream(port, 'not-the-token');
      call.write({ node: { id: 'gw-intruder' }, type_url: CLUSTER });
      try { await responses.next(5000); } catch (e) { /* expected */ }
      check(responses.error && responses.error.code === grpc.status.PERMISSION_DENIED, `unknown token: PERMISSION_DENIED (got ${responses.error && responses.error.code})`);
      await server.until(() => server.stderr.includes('denied a stream of node "gw-intruder"'), 5000, 'the denial in the log');
      call.end(); client.close();
    }

    let { client, call, responses } = openStream(port, TOKEN);
    TYPES.forEach((typeUrl, i) => call.write({ ...(i === 0 ? { node: { id: 'gw-conformance', cluster: 'mesh-gateway' } } : {}), type_url: typeUrl }));
    const want = new Map(v1.map((r) => [`${r.typeUrl} ${r.name}`, r]));
    const have = new Map(); // key → version
    const order = [];
    while (have.size < want.size) {
      const response = await responses.next(10000);
      if (!check(response, `every resource arrives (have ${have.size} of ${want.size})`)) break;
      order.push(response.type_url);
      for (const resource of response.resources || []) {
        const key = `${response.type_url} ${resource.name}`;
        if (!check(want.has(key), `unexpected resource ${key}`)) continue;
        check(resource.resource.type_url === response.type_url, `${key}: Any type_url`);
        check(/^[0-9a-f]{15}$/.test(resource.version), `${key}: version is a content hash (${resource.version})`);
        compareResource(`server → official client: ${key}`, response.type_url, want.get(key).bytes, resource.resource.value);
        have.set(key, resource.version);
      }
      call.write({ type_url: response.type_url, response_nonce: response.nonce });
    }
    check(order.indexOf(LISTENER) > order.indexOf(CLUSTER) && order.indexOf(LISTENER) > order.indexOf(ENDPOINTS) && order.indexOf(LISTENER) > order.indexOf(EXTENSION), `listeners after clusters, endpoints and extension configs (${order.map((t) => t.split('.').pop()).join(', ')})`);
    check((await responses.next(300)) === null, 'nothing more after the ACKs');

    // One changed cluster: exactly it arrives; NACK it. The server logs and keeps going.
    const clusterName = `api.default.dc2.internal.${TD}`;
    server.proc.stdin.write(`load ${writeConfig('v2.json', part1Resources({ connectTimeout: 7 }))}\n`);
    await server.line('loaded ');
    let response = await responses.next(5000);
    check(response && response.type_url === CLUSTER && response.resources.length === 1 && response.resources[0].name === clusterName, 'the changed cluster, alone');
    if (response) {
      compareResource(`server → official client: changed ${clusterName}`, CLUSTER, part1Resources({ connectTimeout: 7 })[0].bytes, response.resources[0].resource.value);
      call.write({ type_url: CLUSTER, response_nonce: response.nonce, error_detail: { code: 3, message: 'conformance: connect_timeout rejected on purpose' } });
    }
    await server.until(() => /NACK from node "gw-conformance".*Cluster \[api\.default\.dc2\.internal\.[^\]]*\].*connect_timeout rejected on purpose/.test(server.stderr), 5000, 'the NACK in the server log');
    // It keeps going: another change is delivered (and the rejected cluster is not resent).
    server.proc.stdin.write(`load ${writeConfig('v3.json', part1Resources({ connectTimeout: 7, gatewayPort: 9443 }))}\n`);
    await server.line('loaded ');
    response = await responses.next(5000);
    check(response && response.type_url === ENDPOINTS && response.resources.length === 1 && response.resources[0].name === `dc2.internal.${TD}`, `after a NACK the server keeps going (got ${summary(response)})`);
    if (response) {
      have.set(`${ENDPOINTS} ${response.resources[0].name}`, response.resources[0].version);
      call.write({ type_url: ENDPOINTS, response_nonce: response.nonce });
    }
    response = await responses.next(300);
    check(response === null, `the rejected version is not resent (got ${summary(response)})`);

    // Back to the accepted cluster; reconnect with initial_resource_versions: nothing unchanged is
    // resent; then one change and one removal arrive, and nothing else.
    server.proc.stdin.write(`load ${writeConfig('v4.json', part1Resources({ gatewayPort: 9443 }))}\n`);
    await server.line('loaded ');
    check((await responses.next(300)) === null, 'nothing to send for what the client already has');
    call.end(); client.close();
    ({ client, call, responses } = openStream(port, TOKEN));
    TYPES.forEach((typeUrl, i) => {
      const initial = {};
      for (const [key, version] of have) if (key.startsWith(`${typeUrl} `)) initial[key.slice(typeUrl.length + 1)] = version;
      call.write({ ...(i === 0 ? { node: { id: 'gw-conformance' } } : {}), type_url: typeUrl, initial_resource_versions: initial });
    });
    response = await responses.next(1000);
    check(response === null, `reconnect with initial_resource_versions: nothing unchanged is resent (got ${summary(response)})`);
    server.proc.stdin.write(`load ${writeConfig('v5.json', part1Resources({ gatewayPort: 10443, withoutBundle: true }))}\n`);
    await server.line('loaded ');
    const got = [];
    for (let r; (r = await responses.next(1000));) {
      got.push(`${r.type_url.split('.').pop()}:${(r.resources || []).map((x) => x.name).join(',')}:-${(r.removed_resources || []).join(',')}`);
      call.write({ type_url: r.type_url, response_nonce: r.nonce });
    }
    check(JSON.stringify(got.sort()) === JSON.stringify([`ClusterLoadAssignment:dc2.internal.${TD}:-`, 'Secret::-peer-dc2-bundle']), `after reconnect only the change and the removal arrive (got ${JSON.stringify(got)})`);
    call.end(); client.close();
  } finally {
    server.stop();
  }
}

// ---- part 2: the official server, our client ----------------------------------------------------
async function part2() {
  const served = consulMeshGateway(true);
  const expected = new Map(consulMeshGateway(false).map((r) => [`${r.typeUrl} ${r.name}`, r]));
  const requests = new Queue();
  let stream = null;
  const grpcServer = new grpc.Server();
  let nonce = 0;
  const sent = new Map(); // nonce → description
  const send = (typeUrl, resources, removed = []) => {
    const n = `n${++nonce}`;
    sent.set(n, typeUrl);
    stream.write({
      type_url: typeUrl, nonce: n, system_version_info: 'conformance',
      resources: resources.map((r) => ({ name: r.name, version: `v${nonce}`, resource: { type_url: r.typeUrl, value: r.bytes } })),
      removed_resources: removed,
    });
    return n;
  };
  grpcServer.addService(Ads.service, {
    StreamAggregatedResources: (call) => call.end(),
    DeltaAggregatedResources: (call) => {
      stream = call;
      const token = call.metadata.get('x-consul-token')[0];
      check(token === TOKEN, `the client sends x-consul-token (got ${token})`);
      call.on('data', (request) => requests.push(request));
      call.on('error', () => {});
      call.on('end', () => call.end());
    },
  });
  const port = await new Promise((resolve, reject) => grpcServer.bindAsync('127.0.0.1:0', grpc.ServerCredentials.createInsecure(), (e, p) => (e ? reject(e) : resolve(p))));
  const client = new Child(args.client, ['--target', `127.0.0.1:${port}`, '--node', 'gw-dc1', '--token', TOKEN]);
  try {
    // The first requests: one per type, clusters first, node on the first, wildcard.
    const first = [];
    for (let i = 0; i < TYPES.length; i++) {
      const request = await requests.next(10000);
      if (!check(request, 'the client subscribes to every type')) return;
      first.push(request);
    }
    check(JSON.stringify(first.map((r) => r.type_url)) === JSON.stringify(TYPES), `subscription order ${first.map((r) => r.type_url.split('.').pop())}`);
    check(first[0].node && first[0].node.id === 'gw-dc1', 'node on the first request');
    check(first.every((r) => !(r.resource_names_subscribe || []).length), 'wildcard subscriptions');

    const ackOf = new Map();
    const waitReplies = async (nonces) => {
      while (nonces.some((n) => !ackOf.has(n))) {
        const request = await requests.next(10000);
        if (!request) throw new Error(`no reply for ${nonces.filter((n) => !ackOf.has(n))}`);
        if (request.response_nonce) ackOf.set(request.response_nonce, request);
      }
    };
    const nonces = TYPES.map((typeUrl) => send(typeUrl, served.filter((r) => r.typeUrl === typeUrl)));
    await waitReplies(nonces);
    for (const n of nonces) {
      const reply = ackOf.get(n);
      check(!reply.error_detail, `the client ACKs the ${sent.get(n).split('.').pop()} response${reply.error_detail ? ': ' + reply.error_detail.message : ''}`);
    }
    // What the client decoded, re-encoded with meshgw's protos: every field as Consul sent it.
    await client.until(() => client.lines.length >= expected.size, 5000, 'the client to report every resource');
    for (const line of client.lines.splice(0)) {
      const entry = JSON.parse(line);
      const key = `${entry.type_url} ${entry.name}`;
      if (!check(expected.has(key), `unexpected resource from the client: ${key}`)) continue;
      compareResource(`official server → client: ${key}`, entry.type_url, expected.get(key).bytes, Buffer.from(entry.value, 'base64'));
      expected.delete(key);
    }
    check(expected.size === 0, `the client reports every resource (missing ${[...expected.keys()]})`);

    // An HTTP-like peered service as Consul does it for Envoy (http_connection_manager): meshgw
    // does not run HCM, so the client NACKs, naming the filter, and keeps its listener.
    const listener = lookup(LISTENER).toObject(lookup(LISTENER).decode(served.find((r) => r.typeUrl === LISTENER).bytes), { defaults: false });
    listener.filter_chains.splice(1, 0, {
      filter_chain_match: { server_names: [`web.default.default.dc2.external.${TD}`] },
      filters: [{
        name: 'envoy.filters.network.http_connection_manager',
        typed_config: any('envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager', {
          stat_prefix: 'mesh_gateway_local_peered.web',
          rds: { config_source: ADS, route_config_name: 'web' },
          http_filters: [{ name: 'envoy.filters.http.router', typed_config: any('envoy.extensions.filters.http.router.v3.Router', {}) }],
        }),
      }],
    });
    const bad = { typeUrl: LISTENER, name: listener.name, bytes: encode(LISTENER, listener) };
    const n = send(LISTENER, [bad]);
    await waitReplies([n]);
    const reply = ackOf.get(n);
    checked++;
    if (!check(reply.error_detail, 'the client NACKs an unsupported filter')) mismatches++;
    else {
      const message = reply.error_detail.message;
      check(message.includes('envoy.filters.network.http_connection_manager') && message.includes(`Listener "${listener.name}"`) && message.includes('filter_chains[1].filters[0]'), `the NACK names the listener, field and filter: ${message}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
    check(client.lines.length === 0, 'nothing of the rejected listener is applied');
    await client.until(() => /NACK Listener/.test(client.stderr), 3000, 'the NACK in the client log');
  } finally {
    client.stop();
    grpcServer.forceShutdown();
  }
}

(async () => {
  const timer = setTimeout(() => { fail('timed out'); process.exit(1); }, 100000);
  try {
    await part1();
    await part2();
  } catch (e) {
    fail(e.stack || String(e));
  }
  clearTimeout(timer);
  console.log(`envoy-protos: ${checked} resources checked, ${mismatches} mismatches`);
  if (failures > 0) console.log(`${failures} checks failed`);
  process.exit(failures > 0 ? 1 : 0);
})();
