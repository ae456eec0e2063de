#!/usr/bin/env node
/*
 * Local Cosmos DB (NoSQL API) emulator for development and CI.
 *
 * Wraps @vercel/cosmosdb-server (pinned 1.0.1 in package.json) and fixes the
 * gaps that Microsoft.Azure.Cosmos 3.x in Gateway mode runs into. Nothing in
 * node_modules is edited: the package's route table, handlers and data model
 * are required from here and wrapped or patched at run time. See README.md.
 *
 *   node server.js [--port N] [--host H] [--http] [--no-keep-alive]
 */
"use strict";

const fs = require("fs");
const http = require("http");
const https = require("https");
const path = require("path");
const { randomUUID } = require("crypto");

const PKG_DIR = path.dirname(require.resolve("@vercel/cosmosdb-server/package.json"));
const load = rel => require(`@vercel/cosmosdb-server/lib/${rel}`).default;

const Account = load("account");
const Items = load("account/items");
const Documents = load("account/documents");
const Collections = load("account/collections");
const route = load("routes");
const readJsonBody = load("json");
const readItems = load("handler/_read-items");
const { patchOperation } = require("@vercel/cosmosdb-server/lib/handler/_patch-operations");
const { SyntaxError: QuerySyntaxError } = require("@zeit/cosmosdb-query");

const H = {
  readDocument: load("handler/read-document"),
  readDocuments: load("handler/read-documents"),
  queryDocuments: load("handler/query-documents"),
  patchDocument: load("handler/patch-document"),
  readPartitionKeyRanges: load("handler/read-partition-key-ranges")
};

// ---------------------------------------------------------------------------
// Command line
// ---------------------------------------------------------------------------

const USAGE = `Usage: node server.js [options]

Cosmos DB-compatible emulator (in-memory, one partition key range) for local
development and CI. Data is lost when the process stops.

Options:
  --port N          port to listen on (default: env COSMOS_PORT or 8081; 0 = any free port)
  --host H          address to bind (default: 127.0.0.1)
  --http            serve plain HTTP instead of HTTPS (self-signed certificate)
  --no-keep-alive   close the connection after every response (benchmarking only)
  -h, --help        show this help

Environment:
  COSMOS_PORT              default port
  COSMOS_EMULATOR_DEBUG=1  log every request and response status to stderr
`;

function parseArgs(argv) {
  const opts = {
    port: process.env.COSMOS_PORT ? Number(process.env.COSMOS_PORT) : 8081,
    host: "127.0.0.1",
    tls: true,
    keepAlive: true
  };
  const args = argv.slice();
  while (args.length) {
    let arg = args.shift();
    let inline;
    const eq = arg.indexOf("=");
    if (arg.startsWith("--") && eq > 0) {
      inline = arg.slice(eq + 1);
      arg = arg.slice(0, eq);
    }
    const value = () => (inline !== undefined ? inline : args.shift());
    switch (arg) {
      case "-h":
      case "--help":
        process.stdout.write(USAGE);
        process.exit(0);
        break;
      case "-p":
      case "--port":
        opts.port = Number(value());
        break;
      case "--host":
        opts.host = value();
        break;
      case "--http":
      case "--no-ssl":
        opts.tls = false;
        break;
      case "--no-keep-alive":
        opts.keepAlive = false;
        break;
      default:
        process.stderr.write(`unknown argument: ${arg}\n${USAGE}`);
        process.exit(2);
    }
  }
  if (!Number.isInteger(opts.port) || opts.port < 0 || opts.port > 65535) {
    process.stderr.write(`invalid port: ${opts.port}\n`);
    process.exit(2);
  }
  return opts;
}

const DEBUG = process.env.COSMOS_EMULATOR_DEBUG === "1";

// ---------------------------------------------------------------------------
// Data model patches: global LSN, precise write time, TTL bookkeeping,
// container replace that keeps its documents.
// ---------------------------------------------------------------------------

let globalLsn = 0;
const WRITTEN_MS = Symbol("writtenMs");

/** Effective TTL of a document in seconds, or null if it never expires. */
function ttlSeconds(collData, doc) {
  if (!collData || typeof collData.defaultTtl !== "number") return null; // TTL off on the container
  if (typeof doc.ttl === "number" && doc.ttl !== 0) return doc.ttl > 0 ? doc.ttl : null;
  return collData.defaultTtl > 0 ? collData.defaultTtl : null;
}

function expiresAt(collData, doc) {
  const ttl = ttlSeconds(collData, doc);
  if (ttl === null) return Infinity;
  return (doc[WRITTEN_MS] || doc._ts * 1000) + ttl * 1000;
}

// Every document write (create, replace, upsert, patch) goes through _set.
Documents.prototype._set = function setDocument(data) {
  globalLsn += 1;
  data._lsn = globalLsn;
  Object.defineProperty(data, WRITTEN_MS, { value: Date.now(), enumerable: false });
  const collection = this._parent;
  const exp = expiresAt(collection.read(), data);
  if (exp < (collection.ttlNextExpiry === undefined ? Infinity : collection.ttlNextExpiry)) {
    collection.ttlNextExpiry = exp;
  }
  return Items.prototype._set.call(this, data);
};

// The package replaces a container by building a brand-new Collection object,
// which silently drops every document. Keep the old object (and its
// documents); only swap its properties.
Collections.prototype.replace = function replaceCollection(data, original) {
  const oldItem = this._data.get(original._rid);
  const result = Items.prototype.replace.call(this, data, original);
  if (oldItem) {
    const fresh = this._data.get(result._rid);
    oldItem._data = fresh.read();
    oldItem.ttlNextExpiry = 0; // defaultTtl may have changed: rescan
    this._data.set(result._rid, oldItem);
  }
  return result;
};

/** Delete expired documents of one collection (cheap unless something is due). */
function purgeExpired(collection, now = Date.now()) {
  const collData = collection.read();
  if (!collData) return;
  if (collection.ttlNextExpiry === undefined || now < collection.ttlNextExpiry) return;
  let next = Infinity;
  const docs = collection.documents;
  const expired = [];
  for (const item of docs._data.values()) {
    const doc = item.read();
    const exp = expiresAt(collData, doc);
    if (exp <= now) expired.push(doc);
    else if (exp < next) next = exp;
  }
  for (const doc of expired) {
    docs.delete(doc._rid, docs._getPartition(doc));
  }
  collection.ttlNextExpiry = next;
}

function allCollections(account) {
  const out = [];
  for (const db of account.databases._data.values()) {
    for (const coll of db.collections._data.values()) out.push(coll);
  }
  return out;
}

// ---------------------------------------------------------------------------
// Helpers
// ---------------------------------------------------------------------------

function notFound(res, message = "Entity with the specified id does not exist in the system.") {
  res.statusCode = 404;
  return { code: "NotFound", message };
}

function badRequest(res, message) {
  res.statusCode = 400;
  return { code: "BadRequest", message };
}

function pkPathSegments(collData) {
  const paths = ((collData && collData.partitionKey) || {}).paths || [];
  const first = paths[0];
  if (!first || first === "/_partitionKey") return null;
  return first.slice(1).split("/");
}

function valueAt(doc, segments) {
  let cur = doc;
  for (const s of segments) {
    if (cur === null || typeof cur !== "object") return undefined;
    cur = cur[s];
  }
  return cur;
}

/**
 * Parses x-ms-documentdb-partitionkey. Returns { present:false } when absent,
 * { none:true } for PartitionKey.None ("[{}]"), otherwise { value }.
 */
function partitionKeyHeader(req) {
  let raw = req.headers["x-ms-documentdb-partitionkey"];
  if (Array.isArray(raw)) [raw] = raw;
  if (raw === undefined || raw === "") return { present: false };
  let parsed;
  try {
    parsed = JSON.parse(raw);
  } catch (e) {
    return { present: true, invalid: true };
  }
  if (!Array.isArray(parsed)) parsed = [parsed];
  const [value] = parsed;
  if (value !== null && typeof value === "object") return { present: true, none: true };
  return { present: true, value };
}

/** Does a document belong to the logical partition named by the header? */
function matchesPartition(collData, doc, pk) {
  if (!pk.present) return true;
  const segs = pkPathSegments(collData);
  if (!segs) return true;
  const v = valueAt(doc, segs);
  if (pk.none) return v === undefined;
  return v === pk.value;
}

function liveDocuments(collection) {
  const collData = collection.read();
  const now = Date.now();
  const out = [];
  for (const item of collection.documents._data.values()) {
    const doc = item.read();
    if (expiresAt(collData, doc) > now) out.push(doc);
  }
  return out;
}

/** Point lookup honouring the partition key header strictly. */
function findDocument(collection, docId, pk) {
  const collData = collection.read();
  const docs = collection.documents;
  let doc;
  if (pk.present && !pk.none) {
    doc = docs._item("/id", docId, pk.value).read();
  } else {
    doc = docs._item("/id", docId, docId).read();
  }
  if (!doc || (doc.id !== docId && doc._rid !== docId)) return undefined;
  if (!matchesPartition(collData, doc, pk)) return undefined;
  if (expiresAt(collData, doc) <= Date.now()) return undefined;
  return doc;
}

function stripQuotes(etag) {
  return String(etag).trim().replace(/^W\//, "").replace(/^"(.*)"$/, "$1");
}

// ---------------------------------------------------------------------------
// Handler overrides
// ---------------------------------------------------------------------------

// Fix (1): missing id / wrong partition key -> 404 (package: TypeError -> 500),
// If-None-Match == current ETag -> 304.
function readDocument(account, req, res, { dbId, collId, docId }) {
  const collection = account.database(dbId).collection(collId);
  const pk = partitionKeyHeader(req);
  if (pk.invalid) return badRequest(res, "invalid x-ms-documentdb-partitionkey header");
  const doc = findDocument(collection, docId, pk);
  if (!doc) return notFound(res);
  const inm = req.headers["if-none-match"];
  if (inm && (inm === "*" || stripQuotes(inm) === stripQuotes(doc._etag))) {
    res.statusCode = 304;
    res.setHeader("etag", doc._etag);
    return undefined;
  }
  res.statusCode = 200;
  return doc;
}

// Fix (3): answer query-plan requests with a plan over the single range.
// Everything the emulator's query engine can do itself (ORDER BY, TOP,
// aggregates over one range) is executed server-side, so the plan advertises
// none of it and the SDK simply passes the query through.
async function queryPlan(account, req, res) {
  const body = await readJsonBody(req);
  if (!body || typeof body.query !== "string") return badRequest(res, "missing query");
  res.statusCode = 200;
  return {
    partitionedQueryExecutionInfoVersion: 2,
    queryInfo: {
      distinctType: "None",
      top: null,
      offset: null,
      limit: null,
      orderBy: [],
      orderByExpressions: [],
      groupByExpressions: [],
      groupByAliases: [],
      aggregates: [],
      groupByAliasToAggregateType: {},
      rewrittenQuery: body.query,
      hasSelectValue: false,
      dCountInfo: null,
      hasNonStreamingOrderBy: false
    },
    queryRanges: [{ min: "", max: "FF", isMinInclusive: true, isMaxInclusive: false }]
  };
}

// Fix (2): a query scoped by the partition-key header is filtered by that
// header instead of being rejected with 400 "missing partition keys".
function queryDocuments(account, req, res, { dbId, collId }) {
  return readItems(req, res, "Documents", async ({ continuation, maxItemCount }) => {
    const body = await readJsonBody(req);
    if (!body || !body.query) return badRequest(res, "missing query");
    const collection = account.database(dbId).collection(collId);
    const collData = collection.read();
    const pk = partitionKeyHeader(req);
    if (pk.invalid) return badRequest(res, "invalid x-ms-documentdb-partitionkey header");
    const docs = collection.documents;
    const data = liveDocuments(collection).filter(d => matchesPartition(collData, d, pk));
    const compositeIndexes = ((collData.indexingPolicy || {}).compositeIndexes) || [];
    try {
      return docs._getQuery(body.query).exec(data, {
        parameters: body.parameters,
        udf: docs._userDefinedFunctions(),
        maxItemCount,
        continuation,
        compositeIndexes
      });
    } catch (err) {
      if (err instanceof QuerySyntaxError) throw err; // readItems turns it into 400
      return badRequest(res, err.message);
    }
  });
}

// Fix (4): change feed (A-IM: Incremental feed) on the documents feed.
function changeFeed(account, req, res, { dbId, collId }) {
  const collection = account.database(dbId).collection(collId);
  const collData = collection.read();
  const pk = partitionKeyHeader(req);
  if (pk.invalid) return badRequest(res, "invalid x-ms-documentdb-partitionkey header");
  // There is a single physical partition key range ("0"), so a range id /
  // EPK range header always means "the whole container" and is not filtered.
  const inm = req.headers["if-none-match"];
  let after = 0;
  if (inm === "*") after = globalLsn;
  else if (inm) {
    after = Number(stripQuotes(inm));
    if (!Number.isFinite(after)) return badRequest(res, `invalid change feed continuation ${inm}`);
  }
  const ims = req.headers["if-modified-since"];
  const since = ims && !inm ? Date.parse(ims) : NaN;

  let max = parseInt(req.headers["x-ms-max-item-count"], 10);
  if (!Number.isFinite(max) || max <= 0) max = 1000;

  const changed = liveDocuments(collection)
    .filter(d => d._lsn > after)
    .filter(d => matchesPartition(collData, d, pk))
    .filter(d => Number.isNaN(since) || (d[WRITTEN_MS] || d._ts * 1000) >= since)
    .sort((a, b) => a._lsn - b._lsn)
    .slice(0, max);

  if (changed.length === 0) {
    res.statusCode = 304;
    // nothing in scope changed up to the current global LSN
    res.setHeader("etag", `"${globalLsn}"`);
    res.setHeader("x-ms-item-count", "0");
    return undefined;
  }
  const last = changed[changed.length - 1]._lsn;
  res.statusCode = 200;
  res.setHeader("etag", `"${last}"`);
  res.setHeader("x-ms-item-count", String(changed.length));
  return { _rid: collData._rid, Documents: changed, _count: changed.length };
}

// Fix (6): keep the case of the patch filter predicate; false -> 412.
async function patchDocument(account, req, res, { dbId, collId, docId }) {
  const body = await readJsonBody(req);
  const collection = account.database(dbId).collection(collId);
  let operations;
  let condition;
  if (Array.isArray(body)) operations = body;
  else if (body && Array.isArray(body.operations)) {
    ({ operations, condition } = body);
  } else {
    return badRequest(res, "Invalid patch request: check syntax of patch specification.");
  }
  const pk = partitionKeyHeader(req);
  if (pk.invalid) return badRequest(res, "invalid x-ms-documentdb-partitionkey header");
  const doc = findDocument(collection, docId, pk);
  if (!doc) return notFound(res);
  const ifMatch = req.headers["if-match"];
  if (ifMatch && stripQuotes(ifMatch) !== stripQuotes(doc._etag)) {
    res.statusCode = 412;
    return {
      code: "PreconditionFailed",
      message: "Operation cannot be performed because one of the specified precondition is not met."
    };
  }
  if (condition) {
    const text = String(condition).trim();
    const sql = /^select\s/i.test(text) ? text : `SELECT * ${text}`;
    let matched;
    try {
      matched = collection.documents._getQuery(sql).exec([doc], {}).result.length > 0;
    } catch (err) {
      return badRequest(res, `Invalid condition in patch request: ${err.message}`);
    }
    if (!matched) {
      res.statusCode = 412;
      return { code: "PreconditionFailed", message: "Condition specified in the patch request is not satisfied." };
    }
  }
  const segs = pkPathSegments(collection.read());
  const pkValue = segs ? valueAt(doc, segs) : undefined;
  const result = patchOperation(collection, {
    id: doc.id,
    partitionKey: JSON.stringify([pkValue === undefined ? doc.id : pkValue]),
    ifMatch: undefined,
    operations,
    condition: undefined
  });
  res.statusCode = result.statusCode;
  return result.body;
}

// /pkranges: exactly one range with string id "0". With A-IM (the SDK's
// routing-map refresh) a request carrying If-None-Match answers 304.
function partitionKeyRanges(account, req, res, { dbId, collId }) {
  const collection = account.database(dbId).collection(collId);
  const collData = collection.read();
  if (req.headers["a-im"] && req.headers["if-none-match"]) {
    res.statusCode = 304;
    res.setHeader("etag", req.headers["if-none-match"]);
    res.setHeader("x-ms-item-count", "0");
    return undefined;
  }
  const ranges = [...collection.partitionKeyRanges._data.values()].map(item => ({
    ...item.read(),
    id: String(item.read().id),
    ridPrefix: 0
  }));
  res.statusCode = 200;
  res.setHeader("etag", '"1"');
  res.setHeader("x-ms-item-count", String(ranges.length));
  return { _rid: collData._rid, PartitionKeyRanges: ranges, _count: ranges.length };
}

function isTrue(req, name) {
  const v = req.headers[name];
  return typeof v === "string" && v.toLowerCase() === "true";
}

/** Picks our override for a matched package handler, if any. */
function chooseHandler(req, handler) {
  if (handler === H.readDocument) return readDocument;
  if (handler === H.queryDocuments) {
    return isTrue(req, "x-ms-cosmos-is-query-plan-request") ? queryPlan : queryDocuments;
  }
  if (handler === H.readDocuments && /incremental feed/i.test(req.headers["a-im"] || "")) return changeFeed;
  if (handler === H.patchDocument) return patchDocument;
  if (handler === H.readPartitionKeyRanges) return partitionKeyRanges;
  return handler;
}

// ---------------------------------------------------------------------------
// Request handling (replaces the package's generateRequestHandler)
// ---------------------------------------------------------------------------

const QUERY_METRICS =
  "totalExecutionTimeInMs=0.00;queryCompileTimeInMs=0.00;queryLogicalPlanBuildTimeInMs=0.00;queryPhysicalPlanBuildTimeInMs=0.00;queryOptimizationTimeInMs=0.00;VMExecutionTimeInMs=0.00;indexLookupTimeInMs=0.00;documentLoadTimeInMs=0.00;systemFunctionExecuteTimeInMs=0.00;userFunctionExecuteTimeInMs=0.00;retrievedDocumentCount=0;retrievedDocumentSize=0;outputDocumentCount=1;outputDocumentSize=0;writeOutputTimeInMs=0.00;indexUtilizationRatio=0.00";

function createRequestHandler(getAccount, { keepAlive, scheme }) {
  return (req, res) => {
    const started = Date.now();
    (async () => {
      const account = getAccount();
      const matched = route(req);
      let body;
      if (!matched) {
        res.statusCode = 400;
        body = { code: "BadRequest", message: "no route" };
      } else {
        const [params, pkgHandler] = matched;
        try {
          if (params.collId !== undefined) {
            const collection = account.database(params.dbId).collection(params.collId);
            if (!collection.read()) {
              // package handlers would crash with a TypeError (500) here; the service answers 404 with
              // sub-status 1003 ("owner resource does not exist"), which tells it from a missing item.
              res.setHeader("x-ms-substatus", "1003");
              body = notFound(res, "Resource Not Found");
            } else {
              purgeExpired(collection);
            }
          }
          if (!body) {
            const handler = chooseHandler(req, pkgHandler);
            body = await handler(account, req, res, params);
          }
        } catch (err) {
          if (err instanceof SyntaxError && /JSON/.test(err.message)) {
            body = badRequest(res, `invalid JSON body: ${err.message}`);
          } else {
            console.error(err);
            res.statusCode = 500;
            body = { code: "InternalServerError", message: err.message };
          }
        }
        if (res.statusCode > 399 && body && !body.message) body.message = "";
      }
      if (body && body._etag && !res.hasHeader("etag")) res.setHeader("etag", body._etag);
      res.setHeader("content-type", "application/json");
      res.setHeader("content-location", `${scheme}://${req.headers.host}${req.url}`);
      res.setHeader("connection", keepAlive ? "keep-alive" : "close");
      res.setHeader("x-ms-activity-id", randomUUID());
      res.setHeader("x-ms-request-charge", "1");
      if (req.headers["x-ms-documentdb-populatequerymetrics"]) {
        res.setHeader("x-ms-documentdb-query-metrics", QUERY_METRICS);
      }
      if (res.statusCode === 304 && !res.hasHeader("x-ms-item-count")) res.setHeader("x-ms-item-count", "0");
      if (res.statusCode === 204 || res.statusCode === 304 || body === undefined) res.end();
      else res.end(JSON.stringify(body));
      if (DEBUG) {
        const hdr = Object.entries(req.headers)
          .filter(([k]) => /^(x-ms-documentdb-partitionkey|x-ms-documentdb-partitionkeyrangeid|x-ms-cosmos-is-query-plan-request|a-im|if-none-match|if-match|if-modified-since|x-ms-max-item-count|x-ms-continuation|x-ms-start-epk|x-ms-end-epk|x-ms-documentdb-query-enablecrosspartition|content-type|x-ms-documentdb-isquery|x-ms-cosmos-changefeed-wire-format-version)$/i.test(k))
          .map(([k, v]) => `${k}=${v}`)
          .join(" ");
        console.error(`${req.method} ${req.url} -> ${res.statusCode} (${Date.now() - started}ms) ${hdr}`);
      }
    })().catch(err => {
      console.error(err);
      if (!res.headersSent) {
        res.statusCode = 500;
        res.end("");
      } else if (!res.writableEnded) res.end();
    });
  };
}

// ---------------------------------------------------------------------------
// Main
// ---------------------------------------------------------------------------

function main() {
  const opts = parseArgs(process.argv.slice(2));
  const scheme = opts.tls ? "https" : "http";
  let account;
  const handler = createRequestHandler(() => account, { keepAlive: opts.keepAlive, scheme });
  const server = opts.tls
    ? https.createServer(
        {
          cert: fs.readFileSync(path.join(PKG_DIR, "cert.pem")),
          key: fs.readFileSync(path.join(PKG_DIR, "key.pem")),
          keepAlive: opts.keepAlive
        },
        handler
      )
    : http.createServer({ keepAlive: opts.keepAlive }, handler);
  // Idle keep-alive connections stay open longer than .NET's pooled-connection
  // idle timeout (1 min), so the client never reuses a socket we just closed.
  server.keepAliveTimeout = opts.keepAlive ? 120000 : 0;
  server.headersTimeout = 125000;

  server.on("error", err => {
    console.error(`cosmos emulator failed to start: ${err.message}`);
    process.exit(1);
  });
  server.listen(opts.port, opts.host, () => {
    const { port } = server.address();
    account = new Account(opts.host === "0.0.0.0" || opts.host === "::" ? "localhost" : opts.host, port);
    const endpoint = `${scheme}://${opts.host}:${port}/`;
    const acc = account.read();
    acc.writableLocations[0].databaseAccountEndpoint = endpoint;
    acc.readableLocations[0].databaseAccountEndpoint = endpoint;
    console.log(`cosmos emulator listening on ${scheme}://${opts.host}:${port}`);
  });

  // Fix (5): periodic TTL sweep (reads also skip expired documents).
  setInterval(() => {
    if (!account) return;
    const now = Date.now();
    for (const coll of allCollections(account)) purgeExpired(coll, now);
  }, 1000).unref();

  const shutdown = () => {
    server.close(() => process.exit(0));
    if (server.closeAllConnections) server.closeAllConnections();
    setTimeout(() => process.exit(0), 2000).unref();
  };
  process.on("SIGTERM", shutdown);
  process.on("SIGINT", shutdown);
}

main();
