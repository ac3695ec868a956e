// Generated from core/config/schema.ts by `npm run generate:validators (release/generate-validators.ts)`: do not edit; run that command after changing the schema.
import runtime0 from 'ajv/dist/runtime/ucs2length.js';
export const validateConfigSchema = validate10;
const schema11 = {"$schema":"http://json-schema.org/draft-07/schema#","$id":"https://weft.dev/schema/proxy-config.json","title":"Weft proxy config","type":"object","additionalProperties":false,"properties":{"listen":{"type":"string","pattern":"^(\\[[0-9a-fA-F:.]+\\]|[^:\\s]+):[0-9]{1,5}$","description":"HOST:PORT"},"admin":{"type":"string","pattern":"^(off|(\\[[0-9a-fA-F:.]+\\]|[^:\\s]+):[0-9]{1,5})$","description":"HOST:PORT of the admin server (/ready /metrics /config), or off"},"workers":{"type":"integer","minimum":1,"maximum":256},"logLevel":{"type":"string","enum":["fatal","error","warn","info","debug","trace","silent"]},"accessLog":{"type":"string","minLength":1,"description":"off | stdout | a file path"},"drainTimeout":{"type":"string","pattern":"^[0-9]+(\\.[0-9]+)?(ms|s|m|h)$","description":"a duration such as 250ms, 5s, 2m"},"tls":{"type":"object","additionalProperties":false,"required":["cert","key"],"description":"the listener's certificate: the port then speaks TLS, and ALPN chooses HTTP/2 or HTTP/1.1","properties":{"cert":{"type":"string","minLength":1,"description":"a PEM certificate (chain) file, relative to this file"},"key":{"type":"string","minLength":1,"description":"its PEM private key file, relative to this file"}}},"limits":{"type":"object","additionalProperties":false,"properties":{"maxHeaderSize":{"type":"integer","minimum":1024,"maximum":1048576,"description":"bytes of request line and headers; more gets a 431"},"maxHeaderCount":{"type":"integer","minimum":1,"maximum":10000,"description":"header fields per request (default 100); more gets a 431"},"maxRequestsPerConnection":{"type":"integer","minimum":0,"description":"requests one connection may carry before it is closed (default 0: no limit)"},"headersTimeout":{"type":"string","pattern":"^[0-9]+(\\.[0-9]+)?(ms|s|m|h)$","description":"a client must send its whole header block within this"},"requestTimeout":{"type":"string","pattern":"^[0-9]+(\\.[0-9]+)?(ms|s|m|h)$","description":"a client must send its whole request within this"},"keepAliveTimeout":{"type":"string","pattern":"^[0-9]+(\\.[0-9]+)?(ms|s|m|h)$","description":"an idle downstream keep-alive connection is closed after this"}}},"filterLimits":{"type":"object","additionalProperties":false,"properties":{"fuel":{"type":"integer","minimum":1000,"description":"fuel each filter callback may spend before it traps"},"memory":{"type":"string","pattern":"^[0-9]+(KiB|MiB|GiB)$","description":"a size such as 64MiB: the cap on each filter instance's memory"}}},"filters":{"type":"array","description":"the filter chain, in order","items":{"type":"object","additionalProperties":false,"required":["name"],"properties":{"name":{"type":"string","pattern":"^[A-Za-z0-9_.-]+$"},"module":{"type":"string","minLength":1,"description":"path to the .wasm file (relative to this file), or a built-in filter name; default: the built-in named `name`"},"root":{"type":"string","description":"root id the module dispatches on (default: name)"},"vmId":{"type":"string","description":"filters with the same vmId and module share one instance (default: name)"},"config":{"type":["string","object"],"description":"a string reaches the filter as is, an object as JSON text"},"fail":{"type":"string","enum":["closed","open","reload"]}}}},"clusters":{"type":"array","items":{"type":"object","additionalProperties":false,"required":["name","endpoints"],"properties":{"name":{"type":"string","pattern":"^[A-Za-z0-9_.-]+$"},"endpoints":{"type":"array","minItems":1,"items":{"description":"an origin such as http://127.0.0.1:3000, or { url, weight, zone }","if":{"type":"string"},"then":{"type":"string","pattern":"^https?://[^/\\s]+/?$","description":"an origin such as http://127.0.0.1:3000 or https://api.example.com"},"else":{"type":"object","additionalProperties":false,"required":["url"],"properties":{"url":{"type":"string","pattern":"^https?://[^/\\s]+/?$","description":"an origin such as http://127.0.0.1:3000 or https://api.example.com"},"weight":{"type":"integer","minimum":1,"maximum":1000,"description":"share of traffic relative to the other endpoints (default 1)"},"zone":{"type":"string","minLength":1,"description":"the locality this endpoint runs in"}}}}},"lb":{"type":"string","enum":["round_robin","least_request","random","peak_ewma","ring_hash"],"description":"how an endpoint is picked: in turn, fewest in flight of two, at random, lowest latency x load of two, or by hashOn"},"connectTimeout":{"type":"string","pattern":"^[0-9]+(\\.[0-9]+)?(ms|s|m|h)$","description":"a duration such as 250ms, 5s, 2m"},"maxConnectionsPerEndpoint":{"type":"integer","minimum":1},"protocol":{"type":"string","enum":["http1","http2","tcp"],"description":"what the endpoints speak: http1 (default), http2 (h2c with prior knowledge; ALPN h2 over https) or tcp (opaque bytes: a service reached through a sidecar's --bind port)"},"idleTimeout":{"type":"string","pattern":"^[0-9]+(\\.[0-9]+)?(ms|s|m|h)$","description":"a duration such as 250ms, 5s, 2m"},"tls":{"type":"object","additionalProperties":false,"description":"TLS to https:// endpoints: the name sent and verified, the CAs trusted, a client certificate","properties":{"sni":{"type":"string","pattern":"^[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?(\\.[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?)*$","description":"a host name such as api.example.com"},"caFile":{"type":"string","minLength":1,"description":"a PEM file of the CAs that vouch for the endpoints (default: the system trust store), read at load (a relative path is from this file's folder)"},"certFile":{"type":"string","minLength":1,"description":"a PEM client certificate (chain) presented to the endpoints, with keyFile, read at load (a relative path is from this file's folder)"},"keyFile":{"type":"string","minLength":1,"description":"the PEM private key of certFile, read at load (a relative path is from this file's folder)"},"insecureSkipVerify":{"type":"boolean","description":"true: the endpoints' certificates are not verified (logged at warn)"}},"dependencies":{"certFile":["keyFile"],"keyFile":["certFile"]}},"hashOn":{"type":"object","additionalProperties":false,"description":"ring_hash: the request header or cookie whose value picks the endpoint","properties":{"header":{"type":"string","minLength":1},"cookie":{"type":"string","minLength":1}}},"localZone":{"type":"string","minLength":1,"description":"prefer endpoints of this zone while any of them is available"},"panicThreshold":{"type":"number","minimum":0,"maximum":100,"description":"percent of available endpoints below which all are used (default 50)"},"healthCheck":{"type":"object","additionalProperties":false,"required":["path"],"properties":{"path":{"type":"string","pattern":"^/","description":"the path probed with GET; a 2xx answer is healthy"},"interval":{"type":"string","pattern":"^[0-9]+(\\.[0-9]+)?(ms|s|m|h)$","description":"a duration such as 250ms, 5s, 2m"},"timeout":{"type":"string","pattern":"^[0-9]+(\\.[0-9]+)?(ms|s|m|h)$","description":"a duration such as 250ms, 5s, 2m"},"healthyThreshold":{"type":"integer","minimum":1,"description":"passing probes in a row before an unhealthy endpoint is used again (default 2)"},"unhealthyThreshold":{"type":"integer","minimum":1,"description":"failing probes in a row before an endpoint is taken out (default 3)"}}},"outlierDetection":{"type":"object","additionalProperties":false,"properties":{"consecutiveFailures":{"type":"integer","minimum":1,"description":"5xx answers or failed attempts in a row that eject an endpoint (default 5)"},"baseEjectionTime":{"type":"string","pattern":"^[0-9]+(\\.[0-9]+)?(ms|s|m|h)$","description":"a duration such as 250ms, 5s, 2m"},"maxEjectionTime":{"type":"string","pattern":"^[0-9]+(\\.[0-9]+)?(ms|s|m|h)$","description":"a duration such as 250ms, 5s, 2m"},"maxEjectionPercent":{"type":"number","minimum":0,"maximum":100,"description":"most of the cluster ejected at once, in percent (default 10; one endpoint always may be)"}}},"circuitBreakers":{"type":"object","additionalProperties":false,"description":"limits per worker; beyond one, a request is answered 503 at once","properties":{"maxConnections":{"type":"integer","minimum":1,"description":"connections to the whole cluster"},"maxPending":{"type":"integer","minimum":1,"description":"requests waiting for a connection"},"maxRequests":{"type":"integer","minimum":1,"description":"requests in flight to the cluster"},"maxRetries":{"type":"integer","minimum":1,"description":"retries in flight to the cluster"}}},"retryBudget":{"type":"object","additionalProperties":false,"properties":{"ratio":{"type":"number","minimum":0,"maximum":100,"description":"retries allowed per request over the window (default 0.2)"},"minPerSecond":{"type":"number","minimum":0,"description":"retries allowed each second whatever the traffic (default 10)"},"window":{"type":"string","pattern":"^[0-9]+(\\.[0-9]+)?(ms|s|m|h)$","description":"a duration such as 250ms, 5s, 2m"}}}}}},"routes":{"type":"array","items":{"type":"object","additionalProperties":false,"required":["cluster"],"properties":{"name":{"type":"string"},"match":{"type":"object","additionalProperties":false,"properties":{"prefix":{"type":"string","pattern":"^/"},"path":{"type":"string","pattern":"^/"},"method":{"type":"string","pattern":"^[A-Z]+$"},"host":{"type":"string","pattern":"^(\\[[0-9a-fA-F:.]+\\]|[^\\s:/\\[\\]]+)$","description":"the Host (or :authority) without its port, case-insensitive; an IPv6 literal in brackets"},"headers":{"type":"object","additionalProperties":{"type":"string"}}}},"cluster":{"type":"string"},"filters":{"type":"object","description":"per-filter overrides on this route, by filter name","additionalProperties":{"type":"object","additionalProperties":false,"properties":{"disabled":{"type":"boolean"},"config":{"type":["string","object"],"description":"a string reaches the filter as is, an object as JSON text"}}}},"timeout":{"type":"string","pattern":"^[0-9]+(\\.[0-9]+)?(ms|s|m|h)$","description":"a duration such as 250ms, 5s, 2m"},"idleTimeout":{"type":"string","pattern":"^[0-9]+(\\.[0-9]+)?(ms|s|m|h)$","description":"a response body that stalls this long is cut (default: the route timeout)"},"retries":{"type":"object","additionalProperties":false,"properties":{"attempts":{"type":"integer","minimum":0,"maximum":10},"on":{"type":"array","items":{"type":["string","integer"],"enum":["connect-failure","reset","timeout","5xx","gateway-error","grpc-unavailable","502","503","504",502,503,504]}},"perTryTimeout":{"type":"string","pattern":"^[0-9]+(\\.[0-9]+)?(ms|s|m|h)$","description":"a duration such as 250ms, 5s, 2m"},"nonIdempotent":{"type":"boolean","description":"also retry POST, PATCH and other non-idempotent methods"},"backoff":{"type":"object","additionalProperties":false,"description":"the wait before retry n is random in [0, min(max, base * 2^n)]","properties":{"base":{"type":"string","pattern":"^[0-9]+(\\.[0-9]+)?(ms|s|m|h)$","description":"a duration such as 250ms, 5s, 2m"},"max":{"type":"string","pattern":"^[0-9]+(\\.[0-9]+)?(ms|s|m|h)$","description":"a duration such as 250ms, 5s, 2m"}}}}}}}}}};
const func2 = Object.prototype.hasOwnProperty;
const func3 = runtime0.default;
const pattern0 = new RegExp("^(\\[[0-9a-fA-F:.]+\\]|[^:\\s]+):[0-9]{1,5}$", "u");
const pattern1 = new RegExp("^(off|(\\[[0-9a-fA-F:.]+\\]|[^:\\s]+):[0-9]{1,5})$", "u");
const pattern2 = new RegExp("^[0-9]+(\\.[0-9]+)?(ms|s|m|h)$", "u");
const pattern6 = new RegExp("^[0-9]+(KiB|MiB|GiB)$", "u");
const pattern7 = new RegExp("^[A-Za-z0-9_.-]+$", "u");
const pattern9 = new RegExp("^https?://[^/\\s]+/?$", "u");
const pattern13 = new RegExp("^[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?(\\.[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?)*$", "u");
const pattern14 = new RegExp("^/", "u");
const pattern22 = new RegExp("^[A-Z]+$", "u");
const pattern23 = new RegExp("^(\\[[0-9a-fA-F:.]+\\]|[^\\s:/\\[\\]]+)$", "u");

function validate10(data, {instancePath="", parentData, parentDataProperty, rootData=data}={}){
/*# sourceURL="https://weft.dev/schema/proxy-config.json" */;
let vErrors = null;
let errors = 0;
if(data && typeof data == "object" && !Array.isArray(data)){
for(const key0 in data){
if(!(func2.call(schema11.properties, key0))){
const err0 = {instancePath,schemaPath:"#/additionalProperties",keyword:"additionalProperties",params:{additionalProperty: key0},message:"must NOT have additional properties",schema:false,parentSchema:schema11,data};
if(vErrors === null){
vErrors = [err0];
}
else {
vErrors.push(err0);
}
errors++;
}
}
if(data.listen !== undefined){
let data0 = data.listen;
if(typeof data0 === "string"){
if(!pattern0.test(data0)){
const err1 = {instancePath:instancePath+"/listen",schemaPath:"#/properties/listen/pattern",keyword:"pattern",params:{pattern: "^(\\[[0-9a-fA-F:.]+\\]|[^:\\s]+):[0-9]{1,5}$"},message:"must match pattern \""+"^(\\[[0-9a-fA-F:.]+\\]|[^:\\s]+):[0-9]{1,5}$"+"\"",schema:"^(\\[[0-9a-fA-F:.]+\\]|[^:\\s]+):[0-9]{1,5}$",parentSchema:schema11.properties.listen,data:data0};
if(vErrors === null){
vErrors = [err1];
}
else {
vErrors.push(err1);
}
errors++;
}
}
else {
const err2 = {instancePath:instancePath+"/listen",schemaPath:"#/properties/listen/type",keyword:"type",params:{type: "string"},message:"must be string",schema:schema11.properties.listen.type,parentSchema:schema11.properties.listen,data:data0};
if(vErrors === null){
vErrors = [err2];
}
else {
vErrors.push(err2);
}
errors++;
}
}
if(data.admin !== undefined){
let data1 = data.admin;
if(typeof data1 === "string"){
if(!pattern1.test(data1)){
const err3 = {instancePath:instancePath+"/admin",schemaPath:"#/properties/admin/pattern",keyword:"pattern",params:{pattern: "^(off|(\\[[0-9a-fA-F:.]+\\]|[^:\\s]+):[0-9]{1,5})$"},message:"must match pattern \""+"^(off|(\\[[0-9a-fA-F:.]+\\]|[^:\\s]+):[0-9]{1,5})$"+"\"",schema:"^(off|(\\[[0-9a-fA-F:.]+\\]|[^:\\s]+):[0-9]{1,5})$",parentSchema:schema11.properties.admin,data:data1};
if(vErrors === null){
vErrors = [err3];
}
else {
vErrors.push(err3);
}
errors++;
}
}
else {
const err4 = {instancePath:instancePath+"/admin",schemaPath:"#/properties/admin/type",keyword:"type",params:{type: "string"},message:"must be string",schema:schema11.properties.admin.type,parentSchema:schema11.properties.admin,data:data1};
if(vErrors === null){
vErrors = [err4];
}
else {
vErrors.push(err4);
}
errors++;
}
}
if(data.workers !== undefined){
let data2 = data.workers;
if(!(((typeof data2 == "number") && (!(data2 % 1) && !isNaN(data2))) && (isFinite(data2)))){
const err5 = {instancePath:instancePath+"/workers",schemaPath:"#/properties/workers/type",keyword:"type",params:{type: "integer"},message:"must be integer",schema:schema11.properties.workers.type,parentSchema:schema11.properties.workers,data:data2};
if(vErrors === null){
vErrors = [err5];
}
else {
vErrors.push(err5);
}
errors++;
}
if((typeof data2 == "number") && (isFinite(data2))){
if(data2 > 256 || isNaN(data2)){
const err6 = {instancePath:instancePath+"/workers",schemaPath:"#/properties/workers/maximum",keyword:"maximum",params:{comparison: "<=", limit: 256},message:"must be <= 256",schema:256,parentSchema:schema11.properties.workers,data:data2};
if(vErrors === null){
vErrors = [err6];
}
else {
vErrors.push(err6);
}
errors++;
}
if(data2 < 1 || isNaN(data2)){
const err7 = {instancePath:instancePath+"/workers",schemaPath:"#/properties/workers/minimum",keyword:"minimum",params:{comparison: ">=", limit: 1},message:"must be >= 1",schema:1,parentSchema:schema11.properties.workers,data:data2};
if(vErrors === null){
vErrors = [err7];
}
else {
vErrors.push(err7);
}
errors++;
}
}
}
if(data.logLevel !== undefined){
let data3 = data.logLevel;
if(typeof data3 !== "string"){
const err8 = {instancePath:instancePath+"/logLevel",schemaPath:"#/properties/logLevel/type",keyword:"type",params:{type: "string"},message:"must be string",schema:schema11.properties.logLevel.type,parentSchema:schema11.properties.logLevel,data:data3};
if(vErrors === null){
vErrors = [err8];
}
else {
vErrors.push(err8);
}
errors++;
}
if(!(((((((data3 === "fatal") || (data3 === "error")) || (data3 === "warn")) || (data3 === "info")) || (data3 === "debug")) || (data3 === "trace")) || (data3 === "silent"))){
const err9 = {instancePath:instancePath+"/logLevel",schemaPath:"#/properties/logLevel/enum",keyword:"enum",params:{allowedValues: schema11.properties.logLevel.enum},message:"must be equal to one of the allowed values",schema:schema11.properties.logLevel.enum,parentSchema:schema11.properties.logLevel,data:data3};
if(vErrors === null){
vErrors = [err9];
}
else {
vErrors.push(err9);
}
errors++;
}
}
if(data.accessLog !== undefined){
let data4 = data.accessLog;
if(typeof data4 === "string"){
if(func3(data4) < 1){
const err10 = {instancePath:instancePath+"/accessLog",schemaPath:"#/properties/accessLog/minLength",keyword:"minLength",params:{limit: 1},message:"must NOT have fewer than 1 characters",schema:1,parentSchema:schema11.properties.accessLog,data:data4};
if(vErrors === null){
vErrors = [err10];
}
else {
vErrors.push(err10);
}
errors++;
}
}
else {
const err11 = {instancePath:instancePath+"/accessLog",schemaPath:"#/properties/accessLog/type",keyword:"type",params:{type: "string"},message:"must be string",schema:schema11.properties.accessLog.type,parentSchema:schema11.properties.accessLog,data:data4};
if(vErrors === null){
vErrors = [err11];
}
else {
vErrors.push(err11);
}
errors++;
}
}
if(data.drainTimeout !== undefined){
let data5 = data.drainTimeout;
if(typeof data5 === "string"){
if(!pattern2.test(data5)){
const err12 = {instancePath:instancePath+"/drainTimeout",schemaPath:"#/properties/drainTimeout/pattern",keyword:"pattern",params:{pattern: "^[0-9]+(\\.[0-9]+)?(ms|s|m|h)$"},message:"must match pattern \""+"^[0-9]+(\\.[0-9]+)?(ms|s|m|h)$"+"\"",schema:"^[0-9]+(\\.[0-9]+)?(ms|s|m|h)$",parentSchema:schema11.properties.drainTimeout,data:data5};
if(vErrors === null){
vErrors = [err12];
}
else {
vErrors.push(err12);
}
errors++;
}
}
else {
const err13 = {instancePath:instancePath+"/drainTimeout",schemaPath:"#/properties/drainTimeout/type",keyword:"type",params:{type: "string"},message:"must be string",schema:schema11.properties.drainTimeout.type,parentSchema:schema11.properties.drainTimeout,data:data5};
if(vErrors === null){
vErrors = [err13];
}
else {
vErrors.push(err13);
}
errors++;
}
}
if(data.tls !== undefined){
let data6 = data.tls;
if(data6 && typeof data6 == "object" && !Array.isArray(data6)){
if(data6.cert === undefined){
const err14 = {instancePath:instancePath+"/tls",schemaPath:"#/properties/tls/required",keyword:"required",params:{missingProperty: "cert"},message:"must have required property '"+"cert"+"'",schema:schema11.properties.tls.required,parentSchema:schema11.properties.tls,data:data6};
if(vErrors === null){
vErrors = [err14];
}
else {
vErrors.push(err14);
}
errors++;
}
if(data6.key === undefined){
const err15 = {instancePath:instancePath+"/tls",schemaPath:"#/properties/tls/required",keyword:"required",params:{missingProperty: "key"},message:"must have required property '"+"key"+"'",schema:schema11.properties.tls.required,parentSchema:schema11.properties.tls,data:data6};
if(vErrors === null){
vErrors = [err15];
}
else {
vErrors.push(err15);
}
errors++;
}
for(const key1 in data6){
if(!((key1 === "cert") || (key1 === "key"))){
const err16 = {instancePath:instancePath+"/tls",schemaPath:"#/properties/tls/additionalProperties",keyword:"additionalProperties",params:{additionalProperty: key1},message:"must NOT have additional properties",schema:false,parentSchema:schema11.properties.tls,data:data6};
if(vErrors === null){
vErrors = [err16];
}
else {
vErrors.push(err16);
}
errors++;
}
}
if(data6.cert !== undefined){
let data7 = data6.cert;
if(typeof data7 === "string"){
if(func3(data7) < 1){
const err17 = {instancePath:instancePath+"/tls/cert",schemaPath:"#/properties/tls/properties/cert/minLength",keyword:"minLength",params:{limit: 1},message:"must NOT have fewer than 1 characters",schema:1,parentSchema:schema11.properties.tls.properties.cert,data:data7};
if(vErrors === null){
vErrors = [err17];
}
else {
vErrors.push(err17);
}
errors++;
}
}
else {
const err18 = {instancePath:instancePath+"/tls/cert",schemaPath:"#/properties/tls/properties/cert/type",keyword:"type",params:{type: "string"},message:"must be string",schema:schema11.properties.tls.properties.cert.type,parentSchema:schema11.properties.tls.properties.cert,data:data7};
if(vErrors === null){
vErrors = [err18];
}
else {
vErrors.push(err18);
}
errors++;
}
}
if(data6.key !== undefined){
let data8 = data6.key;
if(typeof data8 === "string"){
if(func3(data8) < 1){
const err19 = {instancePath:instancePath+"/tls/key",schemaPath:"#/properties/tls/properties/key/minLength",keyword:"minLength",params:{limit: 1},message:"must NOT have fewer than 1 characters",schema:1,parentSchema:schema11.properties.tls.properties.key,data:data8};
if(vErrors === null){
vErrors = [err19];
}
else {
vErrors.push(err19);
}
errors++;
}
}
else {
const err20 = {instancePath:instancePath+"/tls/key",schemaPath:"#/properties/tls/properties/key/type",keyword:"type",params:{type: "string"},message:"must be string",schema:schema11.properties.tls.properties.key.type,parentSchema:schema11.properties.tls.properties.key,data:data8};
if(vErrors === null){
vErrors = [err20];
}
else {
vErrors.push(err20);
}
errors++;
}
}
}
else {
const err21 = {instancePath:instancePath+"/tls",schemaPath:"#/properties/tls/type",keyword:"type",params:{type: "object"},message:"must be object",schema:schema11.properties.tls.type,parentSchema:schema11.properties.tls,data:data6};
if(vErrors === null){
vErrors = [err21];
}
else {
vErrors.push(err21);
}
errors++;
}
}
if(data.limits !== undefined){
let data9 = data.limits;
if(data9 && typeof data9 == "object" && !Array.isArray(data9)){
for(const key2 in data9){
if(!((((((key2 === "maxHeaderSize") || (key2 === "maxHeaderCount")) || (key2 === "maxRequestsPerConnection")) || (key2 === "headersTimeout")) || (key2 === "requestTimeout")) || (key2 === "keepAliveTimeout"))){
const err22 = {instancePath:instancePath+"/limits",schemaPath:"#/properties/limits/additionalProperties",keyword:"additionalProperties",params:{additionalProperty: key2},message:"must NOT have additional properties",schema:false,parentSchema:schema11.properties.limits,data:data9};
if(vErrors === null){
vErrors = [err22];
}
else {
vErrors.push(err22);
}
errors++;
}
}
if(data9.maxHeaderSize !== undefined){
let data10 = data9.maxHeaderSize;
if(!(((typeof data10 == "number") && (!(data10 % 1) && !isNaN(data10))) && (isFinite(data10)))){
const err23 = {instancePath:instancePath+"/limits/maxHeaderSize",schemaPath:"#/properties/limits/properties/maxHeaderSize/type",keyword:"type",params:{type: "integer"},message:"must be integer",schema:schema11.properties.limits.properties.maxHeaderSize.type,parentSchema:schema11.properties.limits.properties.maxHeaderSize,data:data10};
if(vErrors === null){
vErrors = [err23];
}
else {
vErrors.push(err23);
}
errors++;
}
if((typeof data10 == "number") && (isFinite(data10))){
if(data10 > 1048576 || isNaN(data10)){
const err24 = {instancePath:instancePath+"/limits/maxHeaderSize",schemaPath:"#/properties/limits/properties/maxHeaderSize/maximum",keyword:"maximum",params:{comparison: "<=", limit: 1048576},message:"must be <= 1048576",schema:1048576,parentSchema:schema11.properties.limits.properties.maxHeaderSize,data:data10};
if(vErrors === null){
vErrors = [err24];
}
else {
vErrors.push(err24);
}
errors++;
}
if(data10 < 1024 || isNaN(data10)){
const err25 = {instancePath:instancePath+"/limits/maxHeaderSize",schemaPath:"#/properties/limits/properties/maxHeaderSize/minimum",keyword:"minimum",params:{comparison: ">=", limit: 1024},message:"must be >= 1024",schema:1024,parentSchema:schema11.properties.limits.properties.maxHeaderSize,data:data10};
if(vErrors === null){
vErrors = [err25];
}
else {
vErrors.push(err25);
}
errors++;
}
}
}
if(data9.maxHeaderCount !== undefined){
let data11 = data9.maxHeaderCount;
if(!(((typeof data11 == "number") && (!(data11 % 1) && !isNaN(data11))) && (isFinite(data11)))){
const err26 = {instancePath:instancePath+"/limits/maxHeaderCount",schemaPath:"#/properties/limits/properties/maxHeaderCount/type",keyword:"type",params:{type: "integer"},message:"must be integer",schema:schema11.properties.limits.properties.maxHeaderCount.type,parentSchema:schema11.properties.limits.properties.maxHeaderCount,data:data11};
if(vErrors === null){
vErrors = [err26];
}
else {
vErrors.push(err26);
}
errors++;
}
if((typeof data11 == "number") && (isFinite(data11))){
if(data11 > 10000 || isNaN(data11)){
const err27 = {instancePath:instancePath+"/limits/maxHeaderCount",schemaPath:"#/properties/limits/properties/maxHeaderCount/maximum",keyword:"maximum",params:{comparison: "<=", limit: 10000},message:"must be <= 10000",schema:10000,parentSchema:schema11.properties.limits.properties.maxHeaderCount,data:data11};
if(vErrors === null){
vErrors = [err27];
}
else {
vErrors.push(err27);
}
errors++;
}
if(data11 < 1 || isNaN(data11)){
const err28 = {instancePath:instancePath+"/limits/maxHeaderCount",schemaPath:"#/properties/limits/properties/maxHeaderCount/minimum",keyword:"minimum",params:{comparison: ">=", limit: 1},message:"must be >= 1",schema:1,parentSchema:schema11.properties.limits.properties.maxHeaderCount,data:data11};
if(vErrors === null){
vErrors = [err28];
}
else {
vErrors.push(err28);
}
errors++;
}
}
}
if(data9.maxRequestsPerConnection !== undefined){
let data12 = data9.maxRequestsPerConnection;
if(!(((typeof data12 == "number") && (!(data12 % 1) && !isNaN(data12))) && (isFinite(data12)))){
const err29 = {instancePath:instancePath+"/limits/maxRequestsPerConnection",schemaPath:"#/properties/limits/properties/maxRequestsPerConnection/type",keyword:"type",params:{type: "integer"},message:"must be integer",schema:schema11.properties.limits.properties.maxRequestsPerConnection.type,parentSchema:schema11.properties.limits.properties.maxRequestsPerConnection,data:data12};
if(vErrors === null){
vErrors = [err29];
}
else {
vErrors.push(err29);
}
errors++;
}
if((typeof data12 == "number") && (isFinite(data12))){
if(data12 < 0 || isNaN(data12)){
const err30 = {instancePath:instancePath+"/limits/maxRequestsPerConnection",schemaPath:"#/properties/limits/properties/maxRequestsPerConnection/minimum",keyword:"minimum",params:{comparison: ">=", limit: 0},message:"must be >= 0",schema:0,parentSchema:schema11.properties.limits.properties.maxRequestsPerConnection,data:data12};
if(vErrors === null){
vErrors = [err30];
}
else {
vErrors.push(err30);
}
errors++;
}
}
}
if(data9.headersTimeout !== undefined){
let data13 = data9.headersTimeout;
if(typeof data13 === "string"){
if(!pattern2.test(data13)){
const err31 = {instancePath:instancePath+"/limits/headersTimeout",schemaPath:"#/properties/limits/properties/headersTimeout/pattern",keyword:"pattern",params:{pattern: "^[0-9]+(\\.[0-9]+)?(ms|s|m|h)$"},message:"must match pattern \""+"^[0-9]+(\\.[0-9]+)?(ms|s|m|h)$"+"\"",schema:"^[0-9]+(\\.[0-9]+)?(ms|s|m|h)$",parentSchema:schema11.properties.limits.properties.headersTimeout,data:data13};
if(vErrors === null){
vErrors = [err31];
}
else {
vErrors.push(err31);
}
errors++;
}
}
else {
const err32 = {instancePath:instancePath+"/limits/headersTimeout",schemaPath:"#/properties/limits/properties/headersTimeout/type",keyword:"type",params:{type: "string"},message:"must be string",schema:schema11.properties.limits.properties.headersTimeout.type,parentSchema:schema11.properties.limits.properties.headersTimeout,data:data13};
if(vErrors === null){
vErrors = [err32];
}
else {
vErrors.push(err32);
}
errors++;
}
}
if(data9.requestTimeout !== undefined){
let data14 = data9.requestTimeout;
if(typeof data14 === "string"){
if(!pattern2.test(data14)){
const err33 = {instancePath:instancePath+"/limits/requestTimeout",schemaPath:"#/properties/limits/properties/requestTimeout/pattern",keyword:"pattern",params:{pattern: "^[0-9]+(\\.[0-9]+)?(ms|s|m|h)$"},message:"must match pattern \""+"^[0-9]+(\\.[0-9]+)?(ms|s|m|h)$"+"\"",schema:"^[0-9]+(\\.[0-9]+)?(ms|s|m|h)$",parentSchema:schema11.properties.limits.properties.requestTimeout,data:data14};
if(vErrors === null){
vErrors = [err33];
}
else {
vErrors.push(err33);
}
errors++;
}
}
else {
const err34 = {instancePath:instancePath+"/limits/requestTimeout",schemaPath:"#/properties/limits/properties/requestTimeout/type",keyword:"type",params:{type: "string"},message:"must be string",schema:schema11.properties.limits.properties.requestTimeout.type,parentSchema:schema11.properties.limits.properties.requestTimeout,data:data14};
if(vErrors === null){
vErrors = [err34];
}
else {
vErrors.push(err34);
}
errors++;
}
}
if(data9.keepAliveTimeout !== undefined){
let data15 = data9.keepAliveTimeout;
if(typeof data15 === "string"){
if(!pattern2.test(data15)){
const err35 = {instancePath:instancePath+"/limits/keepAliveTimeout",schemaPath:"#/properties/limits/properties/keepAliveTimeout/pattern",keyword:"pattern",params:{pattern: "^[0-9]+(\\.[0-9]+)?(ms|s|m|h)$"},message:"must match pattern \""+"^[0-9]+(\\.[0-9]+)?(ms|s|m|h)$"+"\"",schema:"^[0-9]+(\\.[0-9]+)?(ms|s|m|h)$",parentSchema:schema11.properties.limits.properties.keepAliveTimeout,data:data15};
if(vErrors === null){
vErrors = [err35];
}
else {
vErrors.push(err35);
}
errors++;
}
}
else {
const err36 = {instancePath:instancePath+"/limits/keepAliveTimeout",schemaPath:"#/properties/limits/properties/keepAliveTimeout/type",keyword:"type",params:{type: "string"},message:"must be string",schema:schema11.properties.limits.properties.keepAliveTimeout.type,parentSchema:schema11.properties.limits.properties.keepAliveTimeout,data:data15};
if(vErrors === null){
vErrors = [err36];
}
else {
vErrors.push(err36);
}
errors++;
}
}
}
else {
const err37 = {instancePath:instancePath+"/limits",schemaPath:"#/properties/limits/type",keyword:"type",params:{type: "object"},message:"must be object",schema:schema11.properties.limits.type,parentSchema:schema11.properties.limits,data:data9};
if(vErrors === null){
vErrors = [err37];
}
else {
vErrors.push(err37);
}
errors++;
}
}
if(data.filterLimits !== undefined){
let data16 = data.filterLimits;
if(data16 && typeof data16 == "object" && !Array.isArray(data16)){
for(const key3 in data16){
if(!((key3 === "fuel") || (key3 === "memory"))){
const err38 = {instancePath:instancePath+"/filterLimits",schemaPath:"#/properties/filterLimits/additionalProperties",keyword:"additionalProperties",params:{additionalProperty: key3},message:"must NOT have additional properties",schema:false,parentSchema:schema11.properties.filterLimits,data:data16};
if(vErrors === null){
vErrors = [err38];
}
else {
vErrors.push(err38);
}
errors++;
}
}
if(data16.fuel !== undefined){
let data17 = data16.fuel;
if(!(((typeof data17 == "number") && (!(data17 % 1) && !isNaN(data17))) && (isFinite(data17)))){
const err39 = {instancePath:instancePath+"/filterLimits/fuel",schemaPath:"#/properties/filterLimits/properties/fuel/type",keyword:"type",params:{type: "integer"},message:"must be integer",schema:schema11.properties.filterLimits.properties.fuel.type,parentSchema:schema11.properties.filterLimits.properties.fuel,data:data17};
if(vErrors === null){
vErrors = [err39];
}
else {
vErrors.push(err39);
}
errors++;
}
if((typeof data17 == "number") && (isFinite(data17))){
if(data17 < 1000 || isNaN(data17)){
const err40 = {instancePath:instancePath+"/filterLimits/fuel",schemaPath:"#/properties/filterLimits/properties/fuel/minimum",keyword:"minimum",params:{comparison: ">=", limit: 1000},message:"must be >= 1000",schema:1000,parentSchema:schema11.properties.filterLimits.properties.fuel,data:data17};
if(vErrors === null){
vErrors = [err40];
}
else {
vErrors.push(err40);
}
errors++;
}
}
}
if(data16.memory !== undefined){
let data18 = data16.memory;
if(typeof data18 === "string"){
if(!pattern6.test(data18)){
const err41 = {instancePath:instancePath+"/filterLimits/memory",schemaPath:"#/properties/filterLimits/properties/memory/pattern",keyword:"pattern",params:{pattern: "^[0-9]+(KiB|MiB|GiB)$"},message:"must match pattern \""+"^[0-9]+(KiB|MiB|GiB)$"+"\"",schema:"^[0-9]+(KiB|MiB|GiB)$",parentSchema:schema11.properties.filterLimits.properties.memory,data:data18};
if(vErrors === null){
vErrors = [err41];
}
else {
vErrors.push(err41);
}
errors++;
}
}
else {
const err42 = {instancePath:instancePath+"/filterLimits/memory",schemaPath:"#/properties/filterLimits/properties/memory/type",keyword:"type",params:{type: "string"},message:"must be string",schema:schema11.properties.filterLimits.properties.memory.type,parentSchema:schema11.properties.filterLimits.properties.memory,data:data18};
if(vErrors === null){
vErrors = [err42];
}
else {
vErrors.push(err42);
}
errors++;
}
}
}
else {
const err43 = {instancePath:instancePath+"/filterLimits",schemaPath:"#/properties/filterLimits/type",keyword:"type",params:{type: "object"},message:"must be object",schema:schema11.properties.filterLimits.type,parentSchema:schema11.properties.filterLimits,data:data16};
if(vErrors === null){
vErrors = [err43];
}
else {
vErrors.push(err43);
}
errors++;
}
}
if(data.filters !== undefined){
let data19 = data.filters;
if(Array.isArray(data19)){
const len0 = data19.length;
for(let i0=0; i0<len0; i0++){
let data20 = data19[i0];
if(data20 && typeof data20 == "object" && !Array.isArray(data20)){
if(data20.name === undefined){
const err44 = {instancePath:instancePath+"/filters/" + i0,schemaPath:"#/properties/filters/items/required",keyword:"required",params:{missingProperty: "name"},message:"must have required property '"+"name"+"'",schema:schema11.properties.filters.items.required,parentSchema:schema11.properties.filters.items,data:data20};
if(vErrors === null){
vErrors = [err44];
}
else {
vErrors.push(err44);
}
errors++;
}
for(const key4 in data20){
if(!((((((key4 === "name") || (key4 === "module")) || (key4 === "root")) || (key4 === "vmId")) || (key4 === "config")) || (key4 === "fail"))){
const err45 = {instancePath:instancePath+"/filters/" + i0,schemaPath:"#/properties/filters/items/additionalProperties",keyword:"additionalProperties",params:{additionalProperty: key4},message:"must NOT have additional properties",schema:false,parentSchema:schema11.properties.filters.items,data:data20};
if(vErrors === null){
vErrors = [err45];
}
else {
vErrors.push(err45);
}
errors++;
}
}
if(data20.name !== undefined){
let data21 = data20.name;
if(typeof data21 === "string"){
if(!pattern7.test(data21)){
const err46 = {instancePath:instancePath+"/filters/" + i0+"/name",schemaPath:"#/properties/filters/items/properties/name/pattern",keyword:"pattern",params:{pattern: "^[A-Za-z0-9_.-]+$"},message:"must match pattern \""+"^[A-Za-z0-9_.-]+$"+"\"",schema:"^[A-Za-z0-9_.-]+$",parentSchema:schema11.properties.filters.items.properties.name,data:data21};
if(vErrors === null){
vErrors = [err46];
}
else {
vErrors.push(err46);
}
errors++;
}
}
else {
const err47 = {instancePath:instancePath+"/filters/" + i0+"/name",schemaPath:"#/properties/filters/items/properties/name/type",keyword:"type",params:{type: "string"},message:"must be string",schema:schema11.properties.filters.items.properties.name.type,parentSchema:schema11.properties.filters.items.properties.name,data:data21};
if(vErrors === null){
vErrors = [err47];
}
else {
vErrors.push(err47);
}
errors++;
}
}
if(data20.module !== undefined){
let data22 = data20.module;
if(typeof data22 === "string"){
if(func3(data22) < 1){
const err48 = {instancePath:instancePath+"/filters/" + i0+"/module",schemaPath:"#/properties/filters/items/properties/module/minLength",keyword:"minLength",params:{limit: 1},message:"must NOT have fewer than 1 characters",schema:1,parentSchema:schema11.properties.filters.items.properties.module,data:data22};
if(vErrors === null){
vErrors = [err48];
}
else {
vErrors.push(err48);
}
errors++;
}
}
else {
const err49 = {instancePath:instancePath+"/filters/" + i0+"/module",schemaPath:"#/properties/filters/items/properties/module/type",keyword:"type",params:{type: "string"},message:"must be string",schema:schema11.properties.filters.items.properties.module.type,parentSchema:schema11.properties.filters.items.properties.module,data:data22};
if(vErrors === null){
vErrors = [err49];
}
else {
vErrors.push(err49);
}
errors++;
}
}
if(data20.root !== undefined){
let data23 = data20.root;
if(typeof data23 !== "string"){
const err50 = {instancePath:instancePath+"/filters/" + i0+"/root",schemaPath:"#/properties/filters/items/properties/root/type",keyword:"type",params:{type: "string"},message:"must be string",schema:schema11.properties.filters.items.properties.root.type,parentSchema:schema11.properties.filters.items.properties.root,data:data23};
if(vErrors === null){
vErrors = [err50];
}
else {
vErrors.push(err50);
}
errors++;
}
}
if(data20.vmId !== undefined){
let data24 = data20.vmId;
if(typeof data24 !== "string"){
const err51 = {instancePath:instancePath+"/filters/" + i0+"/vmId",schemaPath:"#/properties/filters/items/properties/vmId/type",keyword:"type",params:{type: "string"},message:"must be string",schema:schema11.properties.filters.items.properties.vmId.type,parentSchema:schema11.properties.filters.items.properties.vmId,data:data24};
if(vErrors === null){
vErrors = [err51];
}
else {
vErrors.push(err51);
}
errors++;
}
}
if(data20.config !== undefined){
let data25 = data20.config;
if((typeof data25 !== "string") && (!(data25 && typeof data25 == "object" && !Array.isArray(data25)))){
const err52 = {instancePath:instancePath+"/filters/" + i0+"/config",schemaPath:"#/properties/filters/items/properties/config/type",keyword:"type",params:{type: schema11.properties.filters.items.properties.config.type},message:"must be string,object",schema:schema11.properties.filters.items.properties.config.type,parentSchema:schema11.properties.filters.items.properties.config,data:data25};
if(vErrors === null){
vErrors = [err52];
}
else {
vErrors.push(err52);
}
errors++;
}
}
if(data20.fail !== undefined){
let data26 = data20.fail;
if(typeof data26 !== "string"){
const err53 = {instancePath:instancePath+"/filters/" + i0+"/fail",schemaPath:"#/properties/filters/items/properties/fail/type",keyword:"type",params:{type: "string"},message:"must be string",schema:schema11.properties.filters.items.properties.fail.type,parentSchema:schema11.properties.filters.items.properties.fail,data:data26};
if(vErrors === null){
vErrors = [err53];
}
else {
vErrors.push(err53);
}
errors++;
}
if(!(((data26 === "closed") || (data26 === "open")) || (data26 === "reload"))){
const err54 = {instancePath:instancePath+"/filters/" + i0+"/fail",schemaPath:"#/properties/filters/items/properties/fail/enum",keyword:"enum",params:{allowedValues: schema11.properties.filters.items.properties.fail.enum},message:"must be equal to one of the allowed values",schema:schema11.properties.filters.items.properties.fail.enum,parentSchema:schema11.properties.filters.items.properties.fail,data:data26};
if(vErrors === null){
vErrors = [err54];
}
else {
vErrors.push(err54);
}
errors++;
}
}
}
else {
const err55 = {instancePath:instancePath+"/filters/" + i0,schemaPath:"#/properties/filters/items/type",keyword:"type",params:{type: "object"},message:"must be object",schema:schema11.properties.filters.items.type,parentSchema:schema11.properties.filters.items,data:data20};
if(vErrors === null){
vErrors = [err55];
}
else {
vErrors.push(err55);
}
errors++;
}
}
}
else {
const err56 = {instancePath:instancePath+"/filters",schemaPath:"#/properties/filters/type",keyword:"type",params:{type: "array"},message:"must be array",schema:schema11.properties.filters.type,parentSchema:schema11.properties.filters,data:data19};
if(vErrors === null){
vErrors = [err56];
}
else {
vErrors.push(err56);
}
errors++;
}
}
if(data.clusters !== undefined){
let data27 = data.clusters;
if(Array.isArray(data27)){
const len1 = data27.length;
for(let i1=0; i1<len1; i1++){
let data28 = data27[i1];
if(data28 && typeof data28 == "object" && !Array.isArray(data28)){
if(data28.name === undefined){
const err57 = {instancePath:instancePath+"/clusters/" + i1,schemaPath:"#/properties/clusters/items/required",keyword:"required",params:{missingProperty: "name"},message:"must have required property '"+"name"+"'",schema:schema11.properties.clusters.items.required,parentSchema:schema11.properties.clusters.items,data:data28};
if(vErrors === null){
vErrors = [err57];
}
else {
vErrors.push(err57);
}
errors++;
}
if(data28.endpoints === undefined){
const err58 = {instancePath:instancePath+"/clusters/" + i1,schemaPath:"#/properties/clusters/items/required",keyword:"required",params:{missingProperty: "endpoints"},message:"must have required property '"+"endpoints"+"'",schema:schema11.properties.clusters.items.required,parentSchema:schema11.properties.clusters.items,data:data28};
if(vErrors === null){
vErrors = [err58];
}
else {
vErrors.push(err58);
}
errors++;
}
for(const key5 in data28){
if(!(func2.call(schema11.properties.clusters.items.properties, key5))){
const err59 = {instancePath:instancePath+"/clusters/" + i1,schemaPath:"#/properties/clusters/items/additionalProperties",keyword:"additionalProperties",params:{additionalProperty: key5},message:"must NOT have additional properties",schema:false,parentSchema:schema11.properties.clusters.items,data:data28};
if(vErrors === null){
vErrors = [err59];
}
else {
vErrors.push(err59);
}
errors++;
}
}
if(data28.name !== undefined){
let data29 = data28.name;
if(typeof data29 === "string"){
if(!pattern7.test(data29)){
const err60 = {instancePath:instancePath+"/clusters/" + i1+"/name",schemaPath:"#/properties/clusters/items/properties/name/pattern",keyword:"pattern",params:{pattern: "^[A-Za-z0-9_.-]+$"},message:"must match pattern \""+"^[A-Za-z0-9_.-]+$"+"\"",schema:"^[A-Za-z0-9_.-]+$",parentSchema:schema11.properties.clusters.items.properties.name,data:data29};
if(vErrors === null){
vErrors = [err60];
}
else {
vErrors.push(err60);
}
errors++;
}
}
else {
const err61 = {instancePath:instancePath+"/clusters/" + i1+"/name",schemaPath:"#/properties/clusters/items/properties/name/type",keyword:"type",params:{type: "string"},message:"must be string",schema:schema11.properties.clusters.items.properties.name.type,parentSchema:schema11.properties.clusters.items.properties.name,data:data29};
if(vErrors === null){
vErrors = [err61];
}
else {
vErrors.push(err61);
}
errors++;
}
}
if(data28.endpoints !== undefined){
let data30 = data28.endpoints;
if(Array.isArray(data30)){
if(data30.length < 1){
const err62 = {instancePath:instancePath+"/clusters/" + i1+"/endpoints",schemaPath:"#/properties/clusters/items/properties/endpoints/minItems",keyword:"minItems",params:{limit: 1},message:"must NOT have fewer than 1 items",schema:1,parentSchema:schema11.properties.clusters.items.properties.endpoints,data:data30};
if(vErrors === null){
vErrors = [err62];
}
else {
vErrors.push(err62);
}
errors++;
}
const len2 = data30.length;
for(let i2=0; i2<len2; i2++){
let data31 = data30[i2];
const _errs70 = errors;
let valid12 = true;
const _errs71 = errors;
if(typeof data31 !== "string"){
const err63 = {};
if(vErrors === null){
vErrors = [err63];
}
else {
vErrors.push(err63);
}
errors++;
}
var _valid0 = _errs71 === errors;
errors = _errs70;
if(vErrors !== null){
if(_errs70){
vErrors.length = _errs70;
}
else {
vErrors = null;
}
}
let ifClause0;
if(_valid0){
const _errs73 = errors;
if(typeof data31 === "string"){
if(!pattern9.test(data31)){
const err64 = {instancePath:instancePath+"/clusters/" + i1+"/endpoints/" + i2,schemaPath:"#/properties/clusters/items/properties/endpoints/items/then/pattern",keyword:"pattern",params:{pattern: "^https?://[^/\\s]+/?$"},message:"must match pattern \""+"^https?://[^/\\s]+/?$"+"\"",schema:"^https?://[^/\\s]+/?$",parentSchema:schema11.properties.clusters.items.properties.endpoints.items.then,data:data31};
if(vErrors === null){
vErrors = [err64];
}
else {
vErrors.push(err64);
}
errors++;
}
}
else {
const err65 = {instancePath:instancePath+"/clusters/" + i1+"/endpoints/" + i2,schemaPath:"#/properties/clusters/items/properties/endpoints/items/then/type",keyword:"type",params:{type: "string"},message:"must be string",schema:schema11.properties.clusters.items.properties.endpoints.items.then.type,parentSchema:schema11.properties.clusters.items.properties.endpoints.items.then,data:data31};
if(vErrors === null){
vErrors = [err65];
}
else {
vErrors.push(err65);
}
errors++;
}
var _valid0 = _errs73 === errors;
valid12 = _valid0;
ifClause0 = "then";
}
else {
const _errs75 = errors;
if(data31 && typeof data31 == "object" && !Array.isArray(data31)){
if(data31.url === undefined){
const err66 = {instancePath:instancePath+"/clusters/" + i1+"/endpoints/" + i2,schemaPath:"#/properties/clusters/items/properties/endpoints/items/else/required",keyword:"required",params:{missingProperty: "url"},message:"must have required property '"+"url"+"'",schema:schema11.properties.clusters.items.properties.endpoints.items.else.required,parentSchema:schema11.properties.clusters.items.properties.endpoints.items.else,data:data31};
if(vErrors === null){
vErrors = [err66];
}
else {
vErrors.push(err66);
}
errors++;
}
for(const key6 in data31){
if(!(((key6 === "url") || (key6 === "weight")) || (key6 === "zone"))){
const err67 = {instancePath:instancePath+"/clusters/" + i1+"/endpoints/" + i2,schemaPath:"#/properties/clusters/items/properties/endpoints/items/else/additionalProperties",keyword:"additionalProperties",params:{additionalProperty: key6},message:"must NOT have additional properties",schema:false,parentSchema:schema11.properties.clusters.items.properties.endpoints.items.else,data:data31};
if(vErrors === null){
vErrors = [err67];
}
else {
vErrors.push(err67);
}
errors++;
}
}
if(data31.url !== undefined){
let data32 = data31.url;
if(typeof data32 === "string"){
if(!pattern9.test(data32)){
const err68 = {instancePath:instancePath+"/clusters/" + i1+"/endpoints/" + i2+"/url",schemaPath:"#/properties/clusters/items/properties/endpoints/items/else/properties/url/pattern",keyword:"pattern",params:{pattern: "^https?://[^/\\s]+/?$"},message:"must match pattern \""+"^https?://[^/\\s]+/?$"+"\"",schema:"^https?://[^/\\s]+/?$",parentSchema:schema11.properties.clusters.items.properties.endpoints.items.else.properties.url,data:data32};
if(vErrors === null){
vErrors = [err68];
}
else {
vErrors.push(err68);
}
errors++;
}
}
else {
const err69 = {instancePath:instancePath+"/clusters/" + i1+"/endpoints/" + i2+"/url",schemaPath:"#/properties/clusters/items/properties/endpoints/items/else/properties/url/type",keyword:"type",params:{type: "string"},message:"must be string",schema:schema11.properties.clusters.items.properties.endpoints.items.else.properties.url.type,parentSchema:schema11.properties.clusters.items.properties.endpoints.items.else.properties.url,data:data32};
if(vErrors === null){
vErrors = [err69];
}
else {
vErrors.push(err69);
}
errors++;
}
}
if(data31.weight !== undefined){
let data33 = data31.weight;
if(!(((typeof data33 == "number") && (!(data33 % 1) && !isNaN(data33))) && (isFinite(data33)))){
const err70 = {instancePath:instancePath+"/clusters/" + i1+"/endpoints/" + i2+"/weight",schemaPath:"#/properties/clusters/items/properties/endpoints/items/else/properties/weight/type",keyword:"type",params:{type: "integer"},message:"must be integer",schema:schema11.properties.clusters.items.properties.endpoints.items.else.properties.weight.type,parentSchema:schema11.properties.clusters.items.properties.endpoints.items.else.properties.weight,data:data33};
if(vErrors === null){
vErrors = [err70];
}
else {
vErrors.push(err70);
}
errors++;
}
if((typeof data33 == "number") && (isFinite(data33))){
if(data33 > 1000 || isNaN(data33)){
const err71 = {instancePath:instancePath+"/clusters/" + i1+"/endpoints/" + i2+"/weight",schemaPath:"#/properties/clusters/items/properties/endpoints/items/else/properties/weight/maximum",keyword:"maximum",params:{comparison: "<=", limit: 1000},message:"must be <= 1000",schema:1000,parentSchema:schema11.properties.clusters.items.properties.endpoints.items.else.properties.weight,data:data33};
if(vErrors === null){
vErrors = [err71];
}
else {
vErrors.push(err71);
}
errors++;
}
if(data33 < 1 || isNaN(data33)){
const err72 = {instancePath:instancePath+"/clusters/" + i1+"/endpoints/" + i2+"/weight",schemaPath:"#/properties/clusters/items/properties/endpoints/items/else/properties/weight/minimum",keyword:"minimum",params:{comparison: ">=", limit: 1},message:"must be >= 1",schema:1,parentSchema:schema11.properties.clusters.items.properties.endpoints.items.else.properties.weight,data:data33};
if(vErrors === null){
vErrors = [err72];
}
else {
vErrors.push(err72);
}
errors++;
}
}
}
if(data31.zone !== undefined){
let data34 = data31.zone;
if(typeof data34 === "string"){
if(func3(data34) < 1){
const err73 = {instancePath:instancePath+"/clusters/" + i1+"/endpoints/" + i2+"/zone",schemaPath:"#/properties/clusters/items/properties/endpoints/items/else/properties/zone/minLength",keyword:"minLength",params:{limit: 1},message:"must NOT have fewer than 1 characters",schema:1,parentSchema:schema11.properties.clusters.items.properties.endpoints.items.else.properties.zone,data:data34};
if(vErrors === null){
vErrors = [err73];
}
else {
vErrors.push(err73);
}
errors++;
}
}
else {
const err74 = {instancePath:instancePath+"/clusters/" + i1+"/endpoints/" + i2+"/zone",schemaPath:"#/properties/clusters/items/properties/endpoints/items/else/properties/zone/type",keyword:"type",params:{type: "string"},message:"must be string",schema:schema11.properties.clusters.items.properties.endpoints.items.else.properties.zone.type,parentSchema:schema11.properties.clusters.items.properties.endpoints.items.else.properties.zone,data:data34};
if(vErrors === null){
vErrors = [err74];
}
else {
vErrors.push(err74);
}
errors++;
}
}
}
else {
const err75 = {instancePath:instancePath+"/clusters/" + i1+"/endpoints/" + i2,schemaPath:"#/properties/clusters/items/properties/endpoints/items/else/type",keyword:"type",params:{type: "object"},message:"must be object",schema:schema11.properties.clusters.items.properties.endpoints.items.else.type,parentSchema:schema11.properties.clusters.items.properties.endpoints.items.else,data:data31};
if(vErrors === null){
vErrors = [err75];
}
else {
vErrors.push(err75);
}
errors++;
}
var _valid0 = _errs75 === errors;
valid12 = _valid0;
ifClause0 = "else";
}
if(!valid12){
const err76 = {instancePath:instancePath+"/clusters/" + i1+"/endpoints/" + i2,schemaPath:"#/properties/clusters/items/properties/endpoints/items/if",keyword:"if",params:{failingKeyword: ifClause0},message:"must match \""+ifClause0+"\" schema",schema:schema11.properties.clusters.items.properties.endpoints.items.if,parentSchema:schema11.properties.clusters.items.properties.endpoints.items,data:data31};
if(vErrors === null){
vErrors = [err76];
}
else {
vErrors.push(err76);
}
errors++;
}
}
}
else {
const err77 = {instancePath:instancePath+"/clusters/" + i1+"/endpoints",schemaPath:"#/properties/clusters/items/properties/endpoints/type",keyword:"type",params:{type: "array"},message:"must be array",schema:schema11.properties.clusters.items.properties.endpoints.type,parentSchema:schema11.properties.clusters.items.properties.endpoints,data:data30};
if(vErrors === null){
vErrors = [err77];
}
else {
vErrors.push(err77);
}
errors++;
}
}
if(data28.lb !== undefined){
let data35 = data28.lb;
if(typeof data35 !== "string"){
const err78 = {instancePath:instancePath+"/clusters/" + i1+"/lb",schemaPath:"#/properties/clusters/items/properties/lb/type",keyword:"type",params:{type: "string"},message:"must be string",schema:schema11.properties.clusters.items.properties.lb.type,parentSchema:schema11.properties.clusters.items.properties.lb,data:data35};
if(vErrors === null){
vErrors = [err78];
}
else {
vErrors.push(err78);
}
errors++;
}
if(!(((((data35 === "round_robin") || (data35 === "least_request")) || (data35 === "random")) || (data35 === "peak_ewma")) || (data35 === "ring_hash"))){
const err79 = {instancePath:instancePath+"/clusters/" + i1+"/lb",schemaPath:"#/properties/clusters/items/properties/lb/enum",keyword:"enum",params:{allowedValues: schema11.properties.clusters.items.properties.lb.enum},message:"must be equal to one of the allowed values",schema:schema11.properties.clusters.items.properties.lb.enum,parentSchema:schema11.properties.clusters.items.properties.lb,data:data35};
if(vErrors === null){
vErrors = [err79];
}
else {
vErrors.push(err79);
}
errors++;
}
}
if(data28.connectTimeout !== undefined){
let data36 = data28.connectTimeout;
if(typeof data36 === "string"){
if(!pattern2.test(data36)){
const err80 = {instancePath:instancePath+"/clusters/" + i1+"/connectTimeout",schemaPath:"#/properties/clusters/items/properties/connectTimeout/pattern",keyword:"pattern",params:{pattern: "^[0-9]+(\\.[0-9]+)?(ms|s|m|h)$"},message:"must match pattern \""+"^[0-9]+(\\.[0-9]+)?(ms|s|m|h)$"+"\"",schema:"^[0-9]+(\\.[0-9]+)?(ms|s|m|h)$",parentSchema:schema11.properties.clusters.items.properties.connectTimeout,data:data36};
if(vErrors === null){
vErrors = [err80];
}
else {
vErrors.push(err80);
}
errors++;
}
}
else {
const err81 = {instancePath:instancePath+"/clusters/" + i1+"/connectTimeout",schemaPath:"#/properties/clusters/items/properties/connectTimeout/type",keyword:"type",params:{type: "string"},message:"must be string",schema:schema11.properties.clusters.items.properties.connectTimeout.type,parentSchema:schema11.properties.clusters.items.properties.connectTimeout,data:data36};
if(vErrors === null){
vErrors = [err81];
}
else {
vErrors.push(err81);
}
errors++;
}
}
if(data28.maxConnectionsPerEndpoint !== undefined){
let data37 = data28.maxConnectionsPerEndpoint;
if(!(((typeof data37 == "number") && (!(data37 % 1) && !isNaN(data37))) && (isFinite(data37)))){
const err82 = {instancePath:instancePath+"/clusters/" + i1+"/maxConnectionsPerEndpoint",schemaPath:"#/properties/clusters/items/properties/maxConnectionsPerEndpoint/type",keyword:"type",params:{type: "integer"},message:"must be integer",schema:schema11.properties.clusters.items.properties.maxConnectionsPerEndpoint.type,parentSchema:schema11.properties.clusters.items.properties.maxConnectionsPerEndpoint,data:data37};
if(vErrors === null){
vErrors = [err82];
}
else {
vErrors.push(err82);
}
errors++;
}
if((typeof data37 == "number") && (isFinite(data37))){
if(data37 < 1 || isNaN(data37)){
const err83 = {instancePath:instancePath+"/clusters/" + i1+"/maxConnectionsPerEndpoint",schemaPath:"#/properties/clusters/items/properties/maxConnectionsPerEndpoint/minimum",keyword:"minimum",params:{comparison: ">=", limit: 1},message:"must be >= 1",schema:1,parentSchema:schema11.properties.clusters.items.properties.maxConnectionsPerEndpoint,data:data37};
if(vErrors === null){
vErrors = [err83];
}
else {
vErrors.push(err83);
}
errors++;
}
}
}
if(data28.protocol !== undefined){
let data38 = data28.protocol;
if(typeof data38 !== "string"){
const err84 = {instancePath:instancePath+"/clusters/" + i1+"/protocol",schemaPath:"#/properties/clusters/items/properties/protocol/type",keyword:"type",params:{type: "string"},message:"must be string",schema:schema11.properties.clusters.items.properties.protocol.type,parentSchema:schema11.properties.clusters.items.properties.protocol,data:data38};
if(vErrors === null){
vErrors = [err84];
}
else {
vErrors.push(err84);
}
errors++;
}
if(!(((data38 === "http1") || (data38 === "http2")) || (data38 === "tcp"))){
const err85 = {instancePath:instancePath+"/clusters/" + i1+"/protocol",schemaPath:"#/properties/clusters/items/properties/protocol/enum",keyword:"enum",params:{allowedValues: schema11.properties.clusters.items.properties.protocol.enum},message:"must be equal to one of the allowed values",schema:schema11.properties.clusters.items.properties.protocol.enum,parentSchema:schema11.properties.clusters.items.properties.protocol,data:data38};
if(vErrors === null){
vErrors = [err85];
}
else {
vErrors.push(err85);
}
errors++;
}
}
if(data28.idleTimeout !== undefined){
let data39 = data28.idleTimeout;
if(typeof data39 === "string"){
if(!pattern2.test(data39)){
const err86 = {instancePath:instancePath+"/clusters/" + i1+"/idleTimeout",schemaPath:"#/properties/clusters/items/properties/idleTimeout/pattern",keyword:"pattern",params:{pattern: "^[0-9]+(\\.[0-9]+)?(ms|s|m|h)$"},message:"must match pattern \""+"^[0-9]+(\\.[0-9]+)?(ms|s|m|h)$"+"\"",schema:"^[0-9]+(\\.[0-9]+)?(ms|s|m|h)$",parentSchema:schema11.properties.clusters.items.properties.idleTimeout,data:data39};
if(vErrors === null){
vErrors = [err86];
}
else {
vErrors.push(err86);
}
errors++;
}
}
else {
const err87 = {instancePath:instancePath+"/clusters/" + i1+"/idleTimeout",schemaPath:"#/properties/clusters/items/properties/idleTimeout/type",keyword:"type",params:{type: "string"},message:"must be string",schema:schema11.properties.clusters.items.properties.idleTimeout.type,parentSchema:schema11.properties.clusters.items.properties.idleTimeout,data:data39};
if(vErrors === null){
vErrors = [err87];
}
else {
vErrors.push(err87);
}
errors++;
}
}
if(data28.tls !== undefined){
let data40 = data28.tls;
if(data40 && typeof data40 == "object" && !Array.isArray(data40)){
for(const key7 in data40){
if(!(((((key7 === "sni") || (key7 === "caFile")) || (key7 === "certFile")) || (key7 === "keyFile")) || (key7 === "insecureSkipVerify"))){
const err88 = {instancePath:instancePath+"/clusters/" + i1+"/tls",schemaPath:"#/properties/clusters/items/properties/tls/additionalProperties",keyword:"additionalProperties",params:{additionalProperty: key7},message:"must NOT have additional properties",schema:false,parentSchema:schema11.properties.clusters.items.properties.tls,data:data40};
if(vErrors === null){
vErrors = [err88];
}
else {
vErrors.push(err88);
}
errors++;
}
}
if(data40.certFile !== undefined){
if(data40.keyFile === undefined){
const err89 = {instancePath:instancePath+"/clusters/" + i1+"/tls",schemaPath:"#/properties/clusters/items/properties/tls/dependencies",keyword:"dependencies",params:{property: "certFile",
    missingProperty: "keyFile",
    depsCount: 1,
    deps: "keyFile"},message:"must have property keyFile when property certFile is present",schema:schema11.properties.clusters.items.properties.tls.dependencies,parentSchema:schema11.properties.clusters.items.properties.tls,data:data40};
if(vErrors === null){
vErrors = [err89];
}
else {
vErrors.push(err89);
}
errors++;
}
}
if(data40.keyFile !== undefined){
if(data40.certFile === undefined){
const err90 = {instancePath:instancePath+"/clusters/" + i1+"/tls",schemaPath:"#/properties/clusters/items/properties/tls/dependencies",keyword:"dependencies",params:{property: "keyFile",
    missingProperty: "certFile",
    depsCount: 1,
    deps: "certFile"},message:"must have property certFile when property keyFile is present",schema:schema11.properties.clusters.items.properties.tls.dependencies,parentSchema:schema11.properties.clusters.items.properties.tls,data:data40};
if(vErrors === null){
vErrors = [err90];
}
else {
vErrors.push(err90);
}
errors++;
}
}
if(data40.sni !== undefined){
let data41 = data40.sni;
if(typeof data41 === "string"){
if(!pattern13.test(data41)){
const err91 = {instancePath:instancePath+"/clusters/" + i1+"/tls/sni",schemaPath:"#/properties/clusters/items/properties/tls/properties/sni/pattern",keyword:"pattern",params:{pattern: "^[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?(\\.[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?)*$"},message:"must match pattern \""+"^[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?(\\.[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?)*$"+"\"",schema:"^[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?(\\.[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?)*$",parentSchema:schema11.properties.clusters.items.properties.tls.properties.sni,data:data41};
if(vErrors === null){
vErrors = [err91];
}
else {
vErrors.push(err91);
}
errors++;
}
}
else {
const err92 = {instancePath:instancePath+"/clusters/" + i1+"/tls/sni",schemaPath:"#/properties/clusters/items/properties/tls/properties/sni/type",keyword:"type",params:{type: "string"},message:"must be string",schema:schema11.properties.clusters.items.properties.tls.properties.sni.type,parentSchema:schema11.properties.clusters.items.properties.tls.properties.sni,data:data41};
if(vErrors === null){
vErrors = [err92];
}
else {
vErrors.push(err92);
}
errors++;
}
}
if(data40.caFile !== undefined){
let data42 = data40.caFile;
if(typeof data42 === "string"){
if(func3(data42) < 1){
const err93 = {instancePath:instancePath+"/clusters/" + i1+"/tls/caFile",schemaPath:"#/properties/clusters/items/properties/tls/properties/caFile/minLength",keyword:"minLength",params:{limit: 1},message:"must NOT have fewer than 1 characters",schema:1,parentSchema:schema11.properties.clusters.items.properties.tls.properties.caFile,data:data42};
if(vErrors === null){
vErrors = [err93];
}
else {
vErrors.push(err93);
}
errors++;
}
}
else {
const err94 = {instancePath:instancePath+"/clusters/" + i1+"/tls/caFile",schemaPath:"#/properties/clusters/items/properties/tls/properties/caFile/type",keyword:"type",params:{type: "string"},message:"must be string",schema:schema11.properties.clusters.items.properties.tls.properties.caFile.type,parentSchema:schema11.properties.clusters.items.properties.tls.properties.caFile,data:data42};
if(vErrors === null){
vErrors = [err94];
}
else {
vErrors.push(err94);
}
errors++;
}
}
if(data40.certFile !== undefined){
let data43 = data40.certFile;
if(typeof data43 === "string"){
if(func3(data43) < 1){
const err95 = {instancePath:instancePath+"/clusters/" + i1+"/tls/certFile",schemaPath:"#/properties/clusters/items/properties/tls/properties/certFile/minLength",keyword:"minLength",params:{limit: 1},message:"must NOT have fewer than 1 characters",schema:1,parentSchema:schema11.properties.clusters.items.properties.tls.properties.certFile,data:data43};
if(vErrors === null){
vErrors = [err95];
}
else {
vErrors.push(err95);
}
errors++;
}
}
else {
const err96 = {instancePath:instancePath+"/clusters/" + i1+"/tls/certFile",schemaPath:"#/properties/clusters/items/properties/tls/properties/certFile/type",keyword:"type",params:{type: "string"},message:"must be string",schema:schema11.properties.clusters.items.properties.tls.properties.certFile.type,parentSchema:schema11.properties.clusters.items.properties.tls.properties.certFile,data:data43};
if(vErrors === null){
vErrors = [err96];
}
else {
vErrors.push(err96);
}
errors++;
}
}
if(data40.keyFile !== undefined){
let data44 = data40.keyFile;
if(typeof data44 === "string"){
if(func3(data44) < 1){
const err97 = {instancePath:instancePath+"/clusters/" + i1+"/tls/keyFile",schemaPath:"#/properties/clusters/items/properties/tls/properties/keyFile/minLength",keyword:"minLength",params:{limit: 1},message:"must NOT have fewer than 1 characters",schema:1,parentSchema:schema11.properties.clusters.items.properties.tls.properties.keyFile,data:data44};
if(vErrors === null){
vErrors = [err97];
}
else {
vErrors.push(err97);
}
errors++;
}
}
else {
const err98 = {instancePath:instancePath+"/clusters/" + i1+"/tls/keyFile",schemaPath:"#/properties/clusters/items/properties/tls/properties/keyFile/type",keyword:"type",params:{type: "string"},message:"must be string",schema:schema11.properties.clusters.items.properties.tls.properties.keyFile.type,parentSchema:schema11.properties.clusters.items.properties.tls.properties.keyFile,data:data44};
if(vErrors === null){
vErrors = [err98];
}
else {
vErrors.push(err98);
}
errors++;
}
}
if(data40.insecureSkipVerify !== undefined){
let data45 = data40.insecureSkipVerify;
if(typeof data45 !== "boolean"){
const err99 = {instancePath:instancePath+"/clusters/" + i1+"/tls/insecureSkipVerify",schemaPath:"#/properties/clusters/items/properties/tls/properties/insecureSkipVerify/type",keyword:"type",params:{type: "boolean"},message:"must be boolean",schema:schema11.properties.clusters.items.properties.tls.properties.insecureSkipVerify.type,parentSchema:schema11.properties.clusters.items.properties.tls.properties.insecureSkipVerify,data:data45};
if(vErrors === null){
vErrors = [err99];
}
else {
vErrors.push(err99);
}
errors++;
}
}
}
else {
const err100 = {instancePath:instancePath+"/clusters/" + i1+"/tls",schemaPath:"#/properties/clusters/items/properties/tls/type",keyword:"type",params:{type: "object"},message:"must be object",schema:schema11.properties.clusters.items.properties.tls.type,parentSchema:schema11.properties.clusters.items.properties.tls,data:data40};
if(vErrors === null){
vErrors = [err100];
}
else {
vErrors.push(err100);
}
errors++;
}
}
if(data28.hashOn !== undefined){
let data46 = data28.hashOn;
if(data46 && typeof data46 == "object" && !Array.isArray(data46)){
for(const key8 in data46){
if(!((key8 === "header") || (key8 === "cookie"))){
const err101 = {instancePath:instancePath+"/clusters/" + i1+"/hashOn",schemaPath:"#/properties/clusters/items/properties/hashOn/additionalProperties",keyword:"additionalProperties",params:{additionalProperty: key8},message:"must NOT have additional properties",schema:false,parentSchema:schema11.properties.clusters.items.properties.hashOn,data:data46};
if(vErrors === null){
vErrors = [err101];
}
else {
vErrors.push(err101);
}
errors++;
}
}
if(data46.header !== undefined){
let data47 = data46.header;
if(typeof data47 === "string"){
if(func3(data47) < 1){
const err102 = {instancePath:instancePath+"/clusters/" + i1+"/hashOn/header",schemaPath:"#/properties/clusters/items/properties/hashOn/properties/header/minLength",keyword:"minLength",params:{limit: 1},message:"must NOT have fewer than 1 characters",schema:1,parentSchema:schema11.properties.clusters.items.properties.hashOn.properties.header,data:data47};
if(vErrors === null){
vErrors = [err102];
}
else {
vErrors.push(err102);
}
errors++;
}
}
else {
const err103 = {instancePath:instancePath+"/clusters/" + i1+"/hashOn/header",schemaPath:"#/properties/clusters/items/properties/hashOn/properties/header/type",keyword:"type",params:{type: "string"},message:"must be string",schema:schema11.properties.clusters.items.properties.hashOn.properties.header.type,parentSchema:schema11.properties.clusters.items.properties.hashOn.properties.header,data:data47};
if(vErrors === null){
vErrors = [err103];
}
else {
vErrors.push(err103);
}
errors++;
}
}
if(data46.cookie !== undefined){
let data48 = data46.cookie;
if(typeof data48 === "string"){
if(func3(data48) < 1){
const err104 = {instancePath:instancePath+"/clusters/" + i1+"/hashOn/cookie",schemaPath:"#/properties/clusters/items/properties/hashOn/properties/cookie/minLength",keyword:"minLength",params:{limit: 1},message:"must NOT have fewer than 1 characters",schema:1,parentSchema:schema11.properties.clusters.items.properties.hashOn.properties.cookie,data:data48};
if(vErrors === null){
vErrors = [err104];
}
else {
vErrors.push(err104);
}
errors++;
}
}
else {
const err105 = {instancePath:instancePath+"/clusters/" + i1+"/hashOn/cookie",schemaPath:"#/properties/clusters/items/properties/hashOn/properties/cookie/type",keyword:"type",params:{type: "string"},message:"must be string",schema:schema11.properties.clusters.items.properties.hashOn.properties.cookie.type,parentSchema:schema11.properties.clusters.items.properties.hashOn.properties.cookie,data:data48};
if(vErrors === null){
vErrors = [err105];
}
else {
vErrors.push(err105);
}
errors++;
}
}
}
else {
const err106 = {instancePath:instancePath+"/clusters/" + i1+"/hashOn",schemaPath:"#/properties/clusters/items/properties/hashOn/type",keyword:"type",params:{type: "object"},message:"must be object",schema:schema11.properties.clusters.items.properties.hashOn.type,parentSchema:schema11.properties.clusters.items.properties.hashOn,data:data46};
if(vErrors === null){
vErrors = [err106];
}
else {
vErrors.push(err106);
}
errors++;
}
}
if(data28.localZone !== undefined){
let data49 = data28.localZone;
if(typeof data49 === "string"){
if(func3(data49) < 1){
const err107 = {instancePath:instancePath+"/clusters/" + i1+"/localZone",schemaPath:"#/properties/clusters/items/properties/localZone/minLength",keyword:"minLength",params:{limit: 1},message:"must NOT have fewer than 1 characters",schema:1,parentSchema:schema11.properties.clusters.items.properties.localZone,data:data49};
if(vErrors === null){
vErrors = [err107];
}
else {
vErrors.push(err107);
}
errors++;
}
}
else {
const err108 = {instancePath:instancePath+"/clusters/" + i1+"/localZone",schemaPath:"#/properties/clusters/items/properties/localZone/type",keyword:"type",params:{type: "string"},message:"must be string",schema:schema11.properties.clusters.items.properties.localZone.type,parentSchema:schema11.properties.clusters.items.properties.localZone,data:data49};
if(vErrors === null){
vErrors = [err108];
}
else {
vErrors.push(err108);
}
errors++;
}
}
if(data28.panicThreshold !== undefined){
let data50 = data28.panicThreshold;
if((typeof data50 == "number") && (isFinite(data50))){
if(data50 > 100 || isNaN(data50)){
const err109 = {instancePath:instancePath+"/clusters/" + i1+"/panicThreshold",schemaPath:"#/properties/clusters/items/properties/panicThreshold/maximum",keyword:"maximum",params:{comparison: "<=", limit: 100},message:"must be <= 100",schema:100,parentSchema:schema11.properties.clusters.items.properties.panicThreshold,data:data50};
if(vErrors === null){
vErrors = [err109];
}
else {
vErrors.push(err109);
}
errors++;
}
if(data50 < 0 || isNaN(data50)){
const err110 = {instancePath:instancePath+"/clusters/" + i1+"/panicThreshold",schemaPath:"#/properties/clusters/items/properties/panicThreshold/minimum",keyword:"minimum",params:{comparison: ">=", limit: 0},message:"must be >= 0",schema:0,parentSchema:schema11.properties.clusters.items.properties.panicThreshold,data:data50};
if(vErrors === null){
vErrors = [err110];
}
else {
vErrors.push(err110);
}
errors++;
}
}
else {
const err111 = {instancePath:instancePath+"/clusters/" + i1+"/panicThreshold",schemaPath:"#/properties/clusters/items/properties/panicThreshold/type",keyword:"type",params:{type: "number"},message:"must be number",schema:schema11.properties.clusters.items.properties.panicThreshold.type,parentSchema:schema11.properties.clusters.items.properties.panicThreshold,data:data50};
if(vErrors === null){
vErrors = [err111];
}
else {
vErrors.push(err111);
}
errors++;
}
}
if(data28.healthCheck !== undefined){
let data51 = data28.healthCheck;
if(data51 && typeof data51 == "object" && !Array.isArray(data51)){
if(data51.path === undefined){
const err112 = {instancePath:instancePath+"/clusters/" + i1+"/healthCheck",schemaPath:"#/properties/clusters/items/properties/healthCheck/required",keyword:"required",params:{missingProperty: "path"},message:"must have required property '"+"path"+"'",schema:schema11.properties.clusters.items.properties.healthCheck.required,parentSchema:schema11.properties.clusters.items.properties.healthCheck,data:data51};
if(vErrors === null){
vErrors = [err112];
}
else {
vErrors.push(err112);
}
errors++;
}
for(const key9 in data51){
if(!(((((key9 === "path") || (key9 === "interval")) || (key9 === "timeout")) || (key9 === "healthyThreshold")) || (key9 === "unhealthyThreshold"))){
const err113 = {instancePath:instancePath+"/clusters/" + i1+"/healthCheck",schemaPath:"#/properties/clusters/items/properties/healthCheck/additionalProperties",keyword:"additionalProperties",params:{additionalProperty: key9},message:"must NOT have additional properties",schema:false,parentSchema:schema11.properties.clusters.items.properties.healthCheck,data:data51};
if(vErrors === null){
vErrors = [err113];
}
else {
vErrors.push(err113);
}
errors++;
}
}
if(data51.path !== undefined){
let data52 = data51.path;
if(typeof data52 === "string"){
if(!pattern14.test(data52)){
const err114 = {instancePath:instancePath+"/clusters/" + i1+"/healthCheck/path",schemaPath:"#/properties/clusters/items/properties/healthCheck/properties/path/pattern",keyword:"pattern",params:{pattern: "^/"},message:"must match pattern \""+"^/"+"\"",schema:"^/",parentSchema:schema11.properties.clusters.items.properties.healthCheck.properties.path,data:data52};
if(vErrors === null){
vErrors = [err114];
}
else {
vErrors.push(err114);
}
errors++;
}
}
else {
const err115 = {instancePath:instancePath+"/clusters/" + i1+"/healthCheck/path",schemaPath:"#/properties/clusters/items/properties/healthCheck/properties/path/type",keyword:"type",params:{type: "string"},message:"must be string",schema:schema11.properties.clusters.items.properties.healthCheck.properties.path.type,parentSchema:schema11.properties.clusters.items.properties.healthCheck.properties.path,data:data52};
if(vErrors === null){
vErrors = [err115];
}
else {
vErrors.push(err115);
}
errors++;
}
}
if(data51.interval !== undefined){
let data53 = data51.interval;
if(typeof data53 === "string"){
if(!pattern2.test(data53)){
const err116 = {instancePath:instancePath+"/clusters/" + i1+"/healthCheck/interval",schemaPath:"#/properties/clusters/items/properties/healthCheck/properties/interval/pattern",keyword:"pattern",params:{pattern: "^[0-9]+(\\.[0-9]+)?(ms|s|m|h)$"},message:"must match pattern \""+"^[0-9]+(\\.[0-9]+)?(ms|s|m|h)$"+"\"",schema:"^[0-9]+(\\.[0-9]+)?(ms|s|m|h)$",parentSchema:schema11.properties.clusters.items.properties.healthCheck.properties.interval,data:data53};
if(vErrors === null){
vErrors = [err116];
}
else {
vErrors.push(err116);
}
errors++;
}
}
else {
const err117 = {instancePath:instancePath+"/clusters/" + i1+"/healthCheck/interval",schemaPath:"#/properties/clusters/items/properties/healthCheck/properties/interval/type",keyword:"type",params:{type: "string"},message:"must be string",schema:schema11.properties.clusters.items.properties.healthCheck.properties.interval.type,parentSchema:schema11.properties.clusters.items.properties.healthCheck.properties.interval,data:data53};
if(vErrors === null){
vErrors = [err117];
}
else {
vErrors.push(err117);
}
errors++;
}
}
if(data51.timeout !== undefined){
let data54 = data51.timeout;
if(typeof data54 === "string"){
if(!pattern2.test(data54)){
const err118 = {instancePath:instancePath+"/clusters/" + i1+"/healthCheck/timeout",schemaPath:"#/properties/clusters/items/properties/healthCheck/properties/timeout/pattern",keyword:"pattern",params:{pattern: "^[0-9]+(\\.[0-9]+)?(ms|s|m|h)$"},message:"must match pattern \""+"^[0-9]+(\\.[0-9]+)?(ms|s|m|h)$"+"\"",schema:"^[0-9]+(\\.[0-9]+)?(ms|s|m|h)$",parentSchema:schema11.properties.clusters.items.properties.healthCheck.properties.timeout,data:data54};
if(vErrors === null){
vErrors = [err118];
}
else {
vErrors.push(err118);
}
errors++;
}
}
else {
const err119 = {instancePath:instancePath+"/clusters/" + i1+"/healthCheck/timeout",schemaPath:"#/properties/clusters/items/properties/healthCheck/properties/timeout/type",keyword:"type",params:{type: "string"},message:"must be string",schema:schema11.properties.clusters.items.properties.healthCheck.properties.timeout.type,parentSchema:schema11.properties.clusters.items.properties.healthCheck.properties.timeout,data:data54};
if(vErrors === null){
vErrors = [err119];
}
else {
vErrors.push(err119);
}
errors++;
}
}
if(data51.healthyThreshold !== undefined){
let data55 = data51.healthyThreshold;
if(!(((typeof data55 == "number") && (!(data55 % 1) && !isNaN(data55))) && (isFinite(data55)))){
const err120 = {instancePath:instancePath+"/clusters/" + i1+"/healthCheck/healthyThreshold",schemaPath:"#/properties/clusters/items/properties/healthCheck/properties/healthyThreshold/type",keyword:"type",params:{type: "integer"},message:"must be integer",schema:schema11.properties.clusters.items.properties.healthCheck.properties.healthyThreshold.type,parentSchema:schema11.properties.clusters.items.properties.healthCheck.properties.healthyThreshold,data:data55};
if(vErrors === null){
vErrors = [err120];
}
else {
vErrors.push(err120);
}
errors++;
}
if((typeof data55 == "number") && (isFinite(data55))){
if(data55 < 1 || isNaN(data55)){
const err121 = {instancePath:instancePath+"/clusters/" + i1+"/healthCheck/healthyThreshold",schemaPath:"#/properties/clusters/items/properties/healthCheck/properties/healthyThreshold/minimum",keyword:"minimum",params:{comparison: ">=", limit: 1},message:"must be >= 1",schema:1,parentSchema:schema11.properties.clusters.items.properties.healthCheck.properties.healthyThreshold,data:data55};
if(vErrors === null){
vErrors = [err121];
}
else {
vErrors.push(err121);
}
errors++;
}
}
}
if(data51.unhealthyThreshold !== undefined){
let data56 = data51.unhealthyThreshold;
if(!(((typeof data56 == "number") && (!(data56 % 1) && !isNaN(data56))) && (isFinite(data56)))){
const err122 = {instancePath:instancePath+"/clusters/" + i1+"/healthCheck/unhealthyThreshold",schemaPath:"#/properties/clusters/items/properties/healthCheck/properties/unhealthyThreshold/type",keyword:"type",params:{type: "integer"},message:"must be integer",schema:schema11.properties.clusters.items.properties.healthCheck.properties.unhealthyThreshold.type,parentSchema:schema11.properties.clusters.items.properties.healthCheck.properties.unhealthyThreshold,data:data56};
if(vErrors === null){
vErrors = [err122];
}
else {
vErrors.push(err122);
}
errors++;
}
if((typeof data56 == "number") && (isFinite(data56))){
if(data56 < 1 || isNaN(data56)){
const err123 = {instancePath:instancePath+"/clusters/" + i1+"/healthCheck/unhealthyThreshold",schemaPath:"#/properties/clusters/items/properties/healthCheck/properties/unhealthyThreshold/minimum",keyword:"minimum",params:{comparison: ">=", limit: 1},message:"must be >= 1",schema:1,parentSchema:schema11.properties.clusters.items.properties.healthCheck.properties.unhealthyThreshold,data:data56};
if(vErrors === null){
vErrors = [err123];
}
else {
vErrors.push(err123);
}
errors++;
}
}
}
}
else {
const err124 = {instancePath:instancePath+"/clusters/" + i1+"/healthCheck",schemaPath:"#/properties/clusters/items/properties/healthCheck/type",keyword:"type",params:{type: "object"},message:"must be object",schema:schema11.properties.clusters.items.properties.healthCheck.type,parentSchema:schema11.properties.clusters.items.properties.healthCheck,data:data51};
if(vErrors === null){
vErrors = [err124];
}
else {
vErrors.push(err124);
}
errors++;
}
}
if(data28.outlierDetection !== undefined){
let data57 = data28.outlierDetection;
if(data57 && typeof data57 == "object" && !Array.isArray(data57)){
for(const key10 in data57){
if(!((((key10 === "consecutiveFailures") || (key10 === "baseEjectionTime")) || (key10 === "maxEjectionTime")) || (key10 === "maxEjectionPercent"))){
const err125 = {instancePath:instancePath+"/clusters/" + i1+"/outlierDetection",schemaPath:"#/properties/clusters/items/properties/outlierDetection/additionalProperties",keyword:"additionalProperties",params:{additionalProperty: key10},message:"must NOT have additional properties",schema:false,parentSchema:schema11.properties.clusters.items.properties.outlierDetection,data:data57};
if(vErrors === null){
vErrors = [err125];
}
else {
vErrors.push(err125);
}
errors++;
}
}
if(data57.consecutiveFailures !== undefined){
let data58 = data57.consecutiveFailures;
if(!(((typeof data58 == "number") && (!(data58 % 1) && !isNaN(data58))) && (isFinite(data58)))){
const err126 = {instancePath:instancePath+"/clusters/" + i1+"/outlierDetection/consecutiveFailures",schemaPath:"#/properties/clusters/items/properties/outlierDetection/properties/consecutiveFailures/type",keyword:"type",params:{type: "integer"},message:"must be integer",schema:schema11.properties.clusters.items.properties.outlierDetection.properties.consecutiveFailures.type,parentSchema:schema11.properties.clusters.items.properties.outlierDetection.properties.consecutiveFailures,data:data58};
if(vErrors === null){
vErrors = [err126];
}
else {
vErrors.push(err126);
}
errors++;
}
if((typeof data58 == "number") && (isFinite(data58))){
if(data58 < 1 || isNaN(data58)){
const err127 = {instancePath:instancePath+"/clusters/" + i1+"/outlierDetection/consecutiveFailures",schemaPath:"#/properties/clusters/items/properties/outlierDetection/properties/consecutiveFailures/minimum",keyword:"minimum",params:{comparison: ">=", limit: 1},message:"must be >= 1",schema:1,parentSchema:schema11.properties.clusters.items.properties.outlierDetection.properties.consecutiveFailures,data:data58};
if(vErrors === null){
vErrors = [err127];
}
else {
vErrors.push(err127);
}
errors++;
}
}
}
if(data57.baseEjectionTime !== undefined){
let data59 = data57.baseEjectionTime;
if(typeof data59 === "string"){
if(!pattern2.test(data59)){
const err128 = {instancePath:instancePath+"/clusters/" + i1+"/outlierDetection/baseEjectionTime",schemaPath:"#/properties/clusters/items/properties/outlierDetection/properties/baseEjectionTime/pattern",keyword:"pattern",params:{pattern: "^[0-9]+(\\.[0-9]+)?(ms|s|m|h)$"},message:"must match pattern \""+"^[0-9]+(\\.[0-9]+)?(ms|s|m|h)$"+"\"",schema:"^[0-9]+(\\.[0-9]+)?(ms|s|m|h)$",parentSchema:schema11.properties.clusters.items.properties.outlierDetection.properties.baseEjectionTime,data:data59};
if(vErrors === null){
vErrors = [err128];
}
else {
vErrors.push(err128);
}
errors++;
}
}
else {
const err129 = {instancePath:instancePath+"/clusters/" + i1+"/outlierDetection/baseEjectionTime",schemaPath:"#/properties/clusters/items/properties/outlierDetection/properties/baseEjectionTime/type",keyword:"type",params:{type: "string"},message:"must be string",schema:schema11.properties.clusters.items.properties.outlierDetection.properties.baseEjectionTime.type,parentSchema:schema11.properties.clusters.items.properties.outlierDetection.properties.baseEjectionTime,data:data59};
if(vErrors === null){
vErrors = [err129];
}
else {
vErrors.push(err129);
}
errors++;
}
}
if(data57.maxEjectionTime !== undefined){
let data60 = data57.maxEjectionTime;
if(typeof data60 === "string"){
if(!pattern2.test(data60)){
const err130 = {instancePath:instancePath+"/clusters/" + i1+"/outlierDetection/maxEjectionTime",schemaPath:"#/properties/clusters/items/properties/outlierDetection/properties/maxEjectionTime/pattern",keyword:"pattern",params:{pattern: "^[0-9]+(\\.[0-9]+)?(ms|s|m|h)$"},message:"must match pattern \""+"^[0-9]+(\\.[0-9]+)?(ms|s|m|h)$"+"\"",schema:"^[0-9]+(\\.[0-9]+)?(ms|s|m|h)$",parentSchema:schema11.properties.clusters.items.properties.outlierDetection.properties.maxEjectionTime,data:data60};
if(vErrors === null){
vErrors = [err130];
}
else {
vErrors.push(err130);
}
errors++;
}
}
else {
const err131 = {instancePath:instancePath+"/clusters/" + i1+"/outlierDetection/maxEjectionTime",schemaPath:"#/properties/clusters/items/properties/outlierDetection/properties/maxEjectionTime/type",keyword:"type",params:{type: "string"},message:"must be string",schema:schema11.properties.clusters.items.properties.outlierDetection.properties.maxEjectionTime.type,parentSchema:schema11.properties.clusters.items.properties.outlierDetection.properties.maxEjectionTime,data:data60};
if(vErrors === null){
vErrors = [err131];
}
else {
vErrors.push(err131);
}
errors++;
}
}
if(data57.maxEjectionPercent !== undefined){
let data61 = data57.maxEjectionPercent;
if((typeof data61 == "number") && (isFinite(data61))){
if(data61 > 100 || isNaN(data61)){
const err132 = {instancePath:instancePath+"/clusters/" + i1+"/outlierDetection/maxEjectionPercent",schemaPath:"#/properties/clusters/items/properties/outlierDetection/properties/maxEjectionPercent/maximum",keyword:"maximum",params:{comparison: "<=", limit: 100},message:"must be <= 100",schema:100,parentSchema:schema11.properties.clusters.items.properties.outlierDetection.properties.maxEjectionPercent,data:data61};
if(vErrors === null){
vErrors = [err132];
}
else {
vErrors.push(err132);
}
errors++;
}
if(data61 < 0 || isNaN(data61)){
const err133 = {instancePath:instancePath+"/clusters/" + i1+"/outlierDetection/maxEjectionPercent",schemaPath:"#/properties/clusters/items/properties/outlierDetection/properties/maxEjectionPercent/minimum",keyword:"minimum",params:{comparison: ">=", limit: 0},message:"must be >= 0",schema:0,parentSchema:schema11.properties.clusters.items.properties.outlierDetection.properties.maxEjectionPercent,data:data61};
if(vErrors === null){
vErrors = [err133];
}
else {
vErrors.push(err133);
}
errors++;
}
}
else {
const err134 = {instancePath:instancePath+"/clusters/" + i1+"/outlierDetection/maxEjectionPercent",schemaPath:"#/properties/clusters/items/properties/outlierDetection/properties/maxEjectionPercent/type",keyword:"type",params:{type: "number"},message:"must be number",schema:schema11.properties.clusters.items.properties.outlierDetection.properties.maxEjectionPercent.type,parentSchema:schema11.properties.clusters.items.properties.outlierDetection.properties.maxEjectionPercent,data:data61};
if(vErrors === null){
vErrors = [err134];
}
else {
vErrors.push(err134);
}
errors++;
}
}
}
else {
const err135 = {instancePath:instancePath+"/clusters/" + i1+"/outlierDetection",schemaPath:"#/properties/clusters/items/properties/outlierDetection/type",keyword:"type",params:{type: "object"},message:"must be object",schema:schema11.properties.clusters.items.properties.outlierDetection.type,parentSchema:schema11.properties.clusters.items.properties.outlierDetection,data:data57};
if(vErrors === null){
vErrors = [err135];
}
else {
vErrors.push(err135);
}
errors++;
}
}
if(data28.circuitBreakers !== undefined){
let data62 = data28.circuitBreakers;
if(data62 && typeof data62 == "object" && !Array.isArray(data62)){
for(const key11 in data62){
if(!((((key11 === "maxConnections") || (key11 === "maxPending")) || (key11 === "maxRequests")) || (key11 === "maxRetries"))){
const err136 = {instancePath:instancePath+"/clusters/" + i1+"/circuitBreakers",schemaPath:"#/properties/clusters/items/properties/circuitBreakers/additionalProperties",keyword:"additionalProperties",params:{additionalProperty: key11},message:"must NOT have additional properties",schema:false,parentSchema:schema11.properties.clusters.items.properties.circuitBreakers,data:data62};
if(vErrors === null){
vErrors = [err136];
}
else {
vErrors.push(err136);
}
errors++;
}
}
if(data62.maxConnections !== undefined){
let data63 = data62.maxConnections;
if(!(((typeof data63 == "number") && (!(data63 % 1) && !isNaN(data63))) && (isFinite(data63)))){
const err137 = {instancePath:instancePath+"/clusters/" + i1+"/circuitBreakers/maxConnections",schemaPath:"#/properties/clusters/items/properties/circuitBreakers/properties/maxConnections/type",keyword:"type",params:{type: "integer"},message:"must be integer",schema:schema11.properties.clusters.items.properties.circuitBreakers.properties.maxConnections.type,parentSchema:schema11.properties.clusters.items.properties.circuitBreakers.properties.maxConnections,data:data63};
if(vErrors === null){
vErrors = [err137];
}
else {
vErrors.push(err137);
}
errors++;
}
if((typeof data63 == "number") && (isFinite(data63))){
if(data63 < 1 || isNaN(data63)){
const err138 = {instancePath:instancePath+"/clusters/" + i1+"/circuitBreakers/maxConnections",schemaPath:"#/properties/clusters/items/properties/circuitBreakers/properties/maxConnections/minimum",keyword:"minimum",params:{comparison: ">=", limit: 1},message:"must be >= 1",schema:1,parentSchema:schema11.properties.clusters.items.properties.circuitBreakers.properties.maxConnections,data:data63};
if(vErrors === null){
vErrors = [err138];
}
else {
vErrors.push(err138);
}
errors++;
}
}
}
if(data62.maxPending !== undefined){
let data64 = data62.maxPending;
if(!(((typeof data64 == "number") && (!(data64 % 1) && !isNaN(data64))) && (isFinite(data64)))){
const err139 = {instancePath:instancePath+"/clusters/" + i1+"/circuitBreakers/maxPending",schemaPath:"#/properties/clusters/items/properties/circuitBreakers/properties/maxPending/type",keyword:"type",params:{type: "integer"},message:"must be integer",schema:schema11.properties.clusters.items.properties.circuitBreakers.properties.maxPending.type,parentSchema:schema11.properties.clusters.items.properties.circuitBreakers.properties.maxPending,data:data64};
if(vErrors === null){
vErrors = [err139];
}
else {
vErrors.push(err139);
}
errors++;
}
if((typeof data64 == "number") && (isFinite(data64))){
if(data64 < 1 || isNaN(data64)){
const err140 = {instancePath:instancePath+"/clusters/" + i1+"/circuitBreakers/maxPending",schemaPath:"#/properties/clusters/items/properties/circuitBreakers/properties/maxPending/minimum",keyword:"minimum",params:{comparison: ">=", limit: 1},message:"must be >= 1",schema:1,parentSchema:schema11.properties.clusters.items.properties.circuitBreakers.properties.maxPending,data:data64};
if(vErrors === null){
vErrors = [err140];
}
else {
vErrors.push(err140);
}
errors++;
}
}
}
if(data62.maxRequests !== undefined){
let data65 = data62.maxRequests;
if(!(((typeof data65 == "number") && (!(data65 % 1) && !isNaN(data65))) && (isFinite(data65)))){
const err141 = {instancePath:instancePath+"/clusters/" + i1+"/circuitBreakers/maxRequests",schemaPath:"#/properties/clusters/items/properties/circuitBreakers/properties/maxRequests/type",keyword:"type",params:{type: "integer"},message:"must be integer",schema:schema11.properties.clusters.items.properties.circuitBreakers.properties.maxRequests.type,parentSchema:schema11.properties.clusters.items.properties.circuitBreakers.properties.maxRequests,data:data65};
if(vErrors === null){
vErrors = [err141];
}
else {
vErrors.push(err141);
}
errors++;
}
if((typeof data65 == "number") && (isFinite(data65))){
if(data65 < 1 || isNaN(data65)){
const err142 = {instancePath:instancePath+"/clusters/" + i1+"/circuitBreakers/maxRequests",schemaPath:"#/properties/clusters/items/properties/circuitBreakers/properties/maxRequests/minimum",keyword:"minimum",params:{comparison: ">=", limit: 1},message:"must be >= 1",schema:1,parentSchema:schema11.properties.clusters.items.properties.circuitBreakers.properties.maxRequests,data:data65};
if(vErrors === null){
vErrors = [err142];
}
else {
vErrors.push(err142);
}
errors++;
}
}
}
if(data62.maxRetries !== undefined){
let data66 = data62.maxRetries;
if(!(((typeof data66 == "number") && (!(data66 % 1) && !isNaN(data66))) && (isFinite(data66)))){
const err143 = {instancePath:instancePath+"/clusters/" + i1+"/circuitBreakers/maxRetries",schemaPath:"#/properties/clusters/items/properties/circuitBreakers/properties/maxRetries/type",keyword:"type",params:{type: "integer"},message:"must be integer",schema:schema11.properties.clusters.items.properties.circuitBreakers.properties.maxRetries.type,parentSchema:schema11.properties.clusters.items.properties.circuitBreakers.properties.maxRetries,data:data66};
if(vErrors === null){
vErrors = [err143];
}
else {
vErrors.push(err143);
}
errors++;
}
if((typeof data66 == "number") && (isFinite(data66))){
if(data66 < 1 || isNaN(data66)){
const err144 = {instancePath:instancePath+"/clusters/" + i1+"/circuitBreakers/maxRetries",schemaPath:"#/properties/clusters/items/properties/circuitBreakers/properties/maxRetries/minimum",keyword:"minimum",params:{comparison: ">=", limit: 1},message:"must be >= 1",schema:1,parentSchema:schema11.properties.clusters.items.properties.circuitBreakers.properties.maxRetries,data:data66};
if(vErrors === null){
vErrors = [err144];
}
else {
vErrors.push(err144);
}
errors++;
}
}
}
}
else {
const err145 = {instancePath:instancePath+"/clusters/" + i1+"/circuitBreakers",schemaPath:"#/properties/clusters/items/properties/circuitBreakers/type",keyword:"type",params:{type: "object"},message:"must be object",schema:schema11.properties.clusters.items.properties.circuitBreakers.type,parentSchema:schema11.properties.clusters.items.properties.circuitBreakers,data:data62};
if(vErrors === null){
vErrors = [err145];
}
else {
vErrors.push(err145);
}
errors++;
}
}
if(data28.retryBudget !== undefined){
let data67 = data28.retryBudget;
if(data67 && typeof data67 == "object" && !Array.isArray(data67)){
for(const key12 in data67){
if(!(((key12 === "ratio") || (key12 === "minPerSecond")) || (key12 === "window"))){
const err146 = {instancePath:instancePath+"/clusters/" + i1+"/retryBudget",schemaPath:"#/properties/clusters/items/properties/retryBudget/additionalProperties",keyword:"additionalProperties",params:{additionalProperty: key12},message:"must NOT have additional properties",schema:false,parentSchema:schema11.properties.clusters.items.properties.retryBudget,data:data67};
if(vErrors === null){
vErrors = [err146];
}
else {
vErrors.push(err146);
}
errors++;
}
}
if(data67.ratio !== undefined){
let data68 = data67.ratio;
if((typeof data68 == "number") && (isFinite(data68))){
if(data68 > 100 || isNaN(data68)){
const err147 = {instancePath:instancePath+"/clusters/" + i1+"/retryBudget/ratio",schemaPath:"#/properties/clusters/items/properties/retryBudget/properties/ratio/maximum",keyword:"maximum",params:{comparison: "<=", limit: 100},message:"must be <= 100",schema:100,parentSchema:schema11.properties.clusters.items.properties.retryBudget.properties.ratio,data:data68};
if(vErrors === null){
vErrors = [err147];
}
else {
vErrors.push(err147);
}
errors++;
}
if(data68 < 0 || isNaN(data68)){
const err148 = {instancePath:instancePath+"/clusters/" + i1+"/retryBudget/ratio",schemaPath:"#/properties/clusters/items/properties/retryBudget/properties/ratio/minimum",keyword:"minimum",params:{comparison: ">=", limit: 0},message:"must be >= 0",schema:0,parentSchema:schema11.properties.clusters.items.properties.retryBudget.properties.ratio,data:data68};
if(vErrors === null){
vErrors = [err148];
}
else {
vErrors.push(err148);
}
errors++;
}
}
else {
const err149 = {instancePath:instancePath+"/clusters/" + i1+"/retryBudget/ratio",schemaPath:"#/properties/clusters/items/properties/retryBudget/properties/ratio/type",keyword:"type",params:{type: "number"},message:"must be number",schema:schema11.properties.clusters.items.properties.retryBudget.properties.ratio.type,parentSchema:schema11.properties.clusters.items.properties.retryBudget.properties.ratio,data:data68};
if(vErrors === null){
vErrors = [err149];
}
else {
vErrors.push(err149);
}
errors++;
}
}
if(data67.minPerSecond !== undefined){
let data69 = data67.minPerSecond;
if((typeof data69 == "number") && (isFinite(data69))){
if(data69 < 0 || isNaN(data69)){
const err150 = {instancePath:instancePath+"/clusters/" + i1+"/retryBudget/minPerSecond",schemaPath:"#/properties/clusters/items/properties/retryBudget/properties/minPerSecond/minimum",keyword:"minimum",params:{comparison: ">=", limit: 0},message:"must be >= 0",schema:0,parentSchema:schema11.properties.clusters.items.properties.retryBudget.properties.minPerSecond,data:data69};
if(vErrors === null){
vErrors = [err150];
}
else {
vErrors.push(err150);
}
errors++;
}
}
else {
const err151 = {instancePath:instancePath+"/clusters/" + i1+"/retryBudget/minPerSecond",schemaPath:"#/properties/clusters/items/properties/retryBudget/properties/minPerSecond/type",keyword:"type",params:{type: "number"},message:"must be number",schema:schema11.properties.clusters.items.properties.retryBudget.properties.minPerSecond.type,parentSchema:schema11.properties.clusters.items.properties.retryBudget.properties.minPerSecond,data:data69};
if(vErrors === null){
vErrors = [err151];
}
else {
vErrors.push(err151);
}
errors++;
}
}
if(data67.window !== undefined){
let data70 = data67.window;
if(typeof data70 === "string"){
if(!pattern2.test(data70)){
const err152 = {instancePath:instancePath+"/clusters/" + i1+"/retryBudget/window",schemaPath:"#/properties/clusters/items/properties/retryBudget/properties/window/pattern",keyword:"pattern",params:{pattern: "^[0-9]+(\\.[0-9]+)?(ms|s|m|h)$"},message:"must match pattern \""+"^[0-9]+(\\.[0-9]+)?(ms|s|m|h)$"+"\"",schema:"^[0-9]+(\\.[0-9]+)?(ms|s|m|h)$",parentSchema:schema11.properties.clusters.items.properties.retryBudget.properties.window,data:data70};
if(vErrors === null){
vErrors = [err152];
}
else {
vErrors.push(err152);
}
errors++;
}
}
else {
const err153 = {instancePath:instancePath+"/clusters/" + i1+"/retryBudget/window",schemaPath:"#/properties/clusters/items/properties/retryBudget/properties/window/type",keyword:"type",params:{type: "string"},message:"must be string",schema:schema11.properties.clusters.items.properties.retryBudget.properties.window.type,parentSchema:schema11.properties.clusters.items.properties.retryBudget.properties.window,data:data70};
if(vErrors === null){
vErrors = [err153];
}
else {
vErrors.push(err153);
}
errors++;
}
}
}
else {
const err154 = {instancePath:instancePath+"/clusters/" + i1+"/retryBudget",schemaPath:"#/properties/clusters/items/properties/retryBudget/type",keyword:"type",params:{type: "object"},message:"must be object",schema:schema11.properties.clusters.items.properties.retryBudget.type,parentSchema:schema11.properties.clusters.items.properties.retryBudget,data:data67};
if(vErrors === null){
vErrors = [err154];
}
else {
vErrors.push(err154);
}
errors++;
}
}
}
else {
const err155 = {instancePath:instancePath+"/clusters/" + i1,schemaPath:"#/properties/clusters/items/type",keyword:"type",params:{type: "object"},message:"must be object",schema:schema11.properties.clusters.items.type,parentSchema:schema11.properties.clusters.items,data:data28};
if(vErrors === null){
vErrors = [err155];
}
else {
vErrors.push(err155);
}
errors++;
}
}
}
else {
const err156 = {instancePath:instancePath+"/clusters",schemaPath:"#/properties/clusters/type",keyword:"type",params:{type: "array"},message:"must be array",schema:schema11.properties.clusters.type,parentSchema:schema11.properties.clusters,data:data27};
if(vErrors === null){
vErrors = [err156];
}
else {
vErrors.push(err156);
}
errors++;
}
}
if(data.routes !== undefined){
let data71 = data.routes;
if(Array.isArray(data71)){
const len3 = data71.length;
for(let i3=0; i3<len3; i3++){
let data72 = data71[i3];
if(data72 && typeof data72 == "object" && !Array.isArray(data72)){
if(data72.cluster === undefined){
const err157 = {instancePath:instancePath+"/routes/" + i3,schemaPath:"#/properties/routes/items/required",keyword:"required",params:{missingProperty: "cluster"},message:"must have required property '"+"cluster"+"'",schema:schema11.properties.routes.items.required,parentSchema:schema11.properties.routes.items,data:data72};
if(vErrors === null){
vErrors = [err157];
}
else {
vErrors.push(err157);
}
errors++;
}
for(const key13 in data72){
if(!(((((((key13 === "name") || (key13 === "match")) || (key13 === "cluster")) || (key13 === "filters")) || (key13 === "timeout")) || (key13 === "idleTimeout")) || (key13 === "retries"))){
const err158 = {instancePath:instancePath+"/routes/" + i3,schemaPath:"#/properties/routes/items/additionalProperties",keyword:"additionalProperties",params:{additionalProperty: key13},message:"must NOT have additional properties",schema:false,parentSchema:schema11.properties.routes.items,data:data72};
if(vErrors === null){
vErrors = [err158];
}
else {
vErrors.push(err158);
}
errors++;
}
}
if(data72.name !== undefined){
let data73 = data72.name;
if(typeof data73 !== "string"){
const err159 = {instancePath:instancePath+"/routes/" + i3+"/name",schemaPath:"#/properties/routes/items/properties/name/type",keyword:"type",params:{type: "string"},message:"must be string",schema:schema11.properties.routes.items.properties.name.type,parentSchema:schema11.properties.routes.items.properties.name,data:data73};
if(vErrors === null){
vErrors = [err159];
}
else {
vErrors.push(err159);
}
errors++;
}
}
if(data72.match !== undefined){
let data74 = data72.match;
if(data74 && typeof data74 == "object" && !Array.isArray(data74)){
for(const key14 in data74){
if(!(((((key14 === "prefix") || (key14 === "path")) || (key14 === "method")) || (key14 === "host")) || (key14 === "headers"))){
const err160 = {instancePath:instancePath+"/routes/" + i3+"/match",schemaPath:"#/properties/routes/items/properties/match/additionalProperties",keyword:"additionalProperties",params:{additionalProperty: key14},message:"must NOT have additional properties",schema:false,parentSchema:schema11.properties.routes.items.properties.match,data:data74};
if(vErrors === null){
vErrors = [err160];
}
else {
vErrors.push(err160);
}
errors++;
}
}
if(data74.prefix !== undefined){
let data75 = data74.prefix;
if(typeof data75 === "string"){
if(!pattern14.test(data75)){
const err161 = {instancePath:instancePath+"/routes/" + i3+"/match/prefix",schemaPath:"#/properties/routes/items/properties/match/properties/prefix/pattern",keyword:"pattern",params:{pattern: "^/"},message:"must match pattern \""+"^/"+"\"",schema:"^/",parentSchema:schema11.properties.routes.items.properties.match.properties.prefix,data:data75};
if(vErrors === null){
vErrors = [err161];
}
else {
vErrors.push(err161);
}
errors++;
}
}
else {
const err162 = {instancePath:instancePath+"/routes/" + i3+"/match/prefix",schemaPath:"#/properties/routes/items/properties/match/properties/prefix/type",keyword:"type",params:{type: "string"},message:"must be string",schema:schema11.properties.routes.items.properties.match.properties.prefix.type,parentSchema:schema11.properties.routes.items.properties.match.properties.prefix,data:data75};
if(vErrors === null){
vErrors = [err162];
}
else {
vErrors.push(err162);
}
errors++;
}
}
if(data74.path !== undefined){
let data76 = data74.path;
if(typeof data76 === "string"){
if(!pattern14.test(data76)){
const err163 = {instancePath:instancePath+"/routes/" + i3+"/match/path",schemaPath:"#/properties/routes/items/properties/match/properties/path/pattern",keyword:"pattern",params:{pattern: "^/"},message:"must match pattern \""+"^/"+"\"",schema:"^/",parentSchema:schema11.properties.routes.items.properties.match.properties.path,data:data76};
if(vErrors === null){
vErrors = [err163];
}
else {
vErrors.push(err163);
}
errors++;
}
}
else {
const err164 = {instancePath:instancePath+"/routes/" + i3+"/match/path",schemaPath:"#/properties/routes/items/properties/match/properties/path/type",keyword:"type",params:{type: "string"},message:"must be string",schema:schema11.properties.routes.items.properties.match.properties.path.type,parentSchema:schema11.properties.routes.items.properties.match.properties.path,data:data76};
if(vErrors === null){
vErrors = [err164];
}
else {
vErrors.push(err164);
}
errors++;
}
}
if(data74.method !== undefined){
let data77 = data74.method;
if(typeof data77 === "string"){
if(!pattern22.test(data77)){
const err165 = {instancePath:instancePath+"/routes/" + i3+"/match/method",schemaPath:"#/properties/routes/items/properties/match/properties/method/pattern",keyword:"pattern",params:{pattern: "^[A-Z]+$"},message:"must match pattern \""+"^[A-Z]+$"+"\"",schema:"^[A-Z]+$",parentSchema:schema11.properties.routes.items.properties.match.properties.method,data:data77};
if(vErrors === null){
vErrors = [err165];
}
else {
vErrors.push(err165);
}
errors++;
}
}
else {
const err166 = {instancePath:instancePath+"/routes/" + i3+"/match/method",schemaPath:"#/properties/routes/items/properties/match/properties/method/type",keyword:"type",params:{type: "string"},message:"must be string",schema:schema11.properties.routes.items.properties.match.properties.method.type,parentSchema:schema11.properties.routes.items.properties.match.properties.method,data:data77};
if(vErrors === null){
vErrors = [err166];
}
else {
vErrors.push(err166);
}
errors++;
}
}
if(data74.host !== undefined){
let data78 = data74.host;
if(typeof data78 === "string"){
if(!pattern23.test(data78)){
const err167 = {instancePath:instancePath+"/routes/" + i3+"/match/host",schemaPath:"#/properties/routes/items/properties/match/properties/host/pattern",keyword:"pattern",params:{pattern: "^(\\[[0-9a-fA-F:.]+\\]|[^\\s:/\\[\\]]+)$"},message:"must match pattern \""+"^(\\[[0-9a-fA-F:.]+\\]|[^\\s:/\\[\\]]+)$"+"\"",schema:"^(\\[[0-9a-fA-F:.]+\\]|[^\\s:/\\[\\]]+)$",parentSchema:schema11.properties.routes.items.properties.match.properties.host,data:data78};
if(vErrors === null){
vErrors = [err167];
}
else {
vErrors.push(err167);
}
errors++;
}
}
else {
const err168 = {instancePath:instancePath+"/routes/" + i3+"/match/host",schemaPath:"#/properties/routes/items/properties/match/properties/host/type",keyword:"type",params:{type: "string"},message:"must be string",schema:schema11.properties.routes.items.properties.match.properties.host.type,parentSchema:schema11.properties.routes.items.properties.match.properties.host,data:data78};
if(vErrors === null){
vErrors = [err168];
}
else {
vErrors.push(err168);
}
errors++;
}
}
if(data74.headers !== undefined){
let data79 = data74.headers;
if(data79 && typeof data79 == "object" && !Array.isArray(data79)){
for(const key15 in data79){
let data80 = data79[key15];
if(typeof data80 !== "string"){
const err169 = {instancePath:instancePath+"/routes/" + i3+"/match/headers/" + key15.replace(/~/g, "~0").replace(/\//g, "~1"),schemaPath:"#/properties/routes/items/properties/match/properties/headers/additionalProperties/type",keyword:"type",params:{type: "string"},message:"must be string",schema:schema11.properties.routes.items.properties.match.properties.headers.additionalProperties.type,parentSchema:schema11.properties.routes.items.properties.match.properties.headers.additionalProperties,data:data80};
if(vErrors === null){
vErrors = [err169];
}
else {
vErrors.push(err169);
}
errors++;
}
}
}
else {
const err170 = {instancePath:instancePath+"/routes/" + i3+"/match/headers",schemaPath:"#/properties/routes/items/properties/match/properties/headers/type",keyword:"type",params:{type: "object"},message:"must be object",schema:schema11.properties.routes.items.properties.match.properties.headers.type,parentSchema:schema11.properties.routes.items.properties.match.properties.headers,data:data79};
if(vErrors === null){
vErrors = [err170];
}
else {
vErrors.push(err170);
}
errors++;
}
}
}
else {
const err171 = {instancePath:instancePath+"/routes/" + i3+"/match",schemaPath:"#/properties/routes/items/properties/match/type",keyword:"type",params:{type: "object"},message:"must be object",schema:schema11.properties.routes.items.properties.match.type,parentSchema:schema11.properties.routes.items.properties.match,data:data74};
if(vErrors === null){
vErrors = [err171];
}
else {
vErrors.push(err171);
}
errors++;
}
}
if(data72.cluster !== undefined){
let data81 = data72.cluster;
if(typeof data81 !== "string"){
const err172 = {instancePath:instancePath+"/routes/" + i3+"/cluster",schemaPath:"#/properties/routes/items/properties/cluster/type",keyword:"type",params:{type: "string"},message:"must be string",schema:schema11.properties.routes.items.properties.cluster.type,parentSchema:schema11.properties.routes.items.properties.cluster,data:data81};
if(vErrors === null){
vErrors = [err172];
}
else {
vErrors.push(err172);
}
errors++;
}
}
if(data72.filters !== undefined){
let data82 = data72.filters;
if(data82 && typeof data82 == "object" && !Array.isArray(data82)){
for(const key16 in data82){
let data83 = data82[key16];
if(data83 && typeof data83 == "object" && !Array.isArray(data83)){
for(const key17 in data83){
if(!((key17 === "disabled") || (key17 === "config"))){
const err173 = {instancePath:instancePath+"/routes/" + i3+"/filters/" + key16.replace(/~/g, "~0").replace(/\//g, "~1"),schemaPath:"#/properties/routes/items/properties/filters/additionalProperties/additionalProperties",keyword:"additionalProperties",params:{additionalProperty: key17},message:"must NOT have additional properties",schema:false,parentSchema:schema11.properties.routes.items.properties.filters.additionalProperties,data:data83};
if(vErrors === null){
vErrors = [err173];
}
else {
vErrors.push(err173);
}
errors++;
}
}
if(data83.disabled !== undefined){
let data84 = data83.disabled;
if(typeof data84 !== "boolean"){
const err174 = {instancePath:instancePath+"/routes/" + i3+"/filters/" + key16.replace(/~/g, "~0").replace(/\//g, "~1")+"/disabled",schemaPath:"#/properties/routes/items/properties/filters/additionalProperties/properties/disabled/type",keyword:"type",params:{type: "boolean"},message:"must be boolean",schema:schema11.properties.routes.items.properties.filters.additionalProperties.properties.disabled.type,parentSchema:schema11.properties.routes.items.properties.filters.additionalProperties.properties.disabled,data:data84};
if(vErrors === null){
vErrors = [err174];
}
else {
vErrors.push(err174);
}
errors++;
}
}
if(data83.config !== undefined){
let data85 = data83.config;
if((typeof data85 !== "string") && (!(data85 && typeof data85 == "object" && !Array.isArray(data85)))){
const err175 = {instancePath:instancePath+"/routes/" + i3+"/filters/" + key16.replace(/~/g, "~0").replace(/\//g, "~1")+"/config",schemaPath:"#/properties/routes/items/properties/filters/additionalProperties/properties/config/type",keyword:"type",params:{type: schema11.properties.routes.items.properties.filters.additionalProperties.properties.config.type},message:"must be string,object",schema:schema11.properties.routes.items.properties.filters.additionalProperties.properties.config.type,parentSchema:schema11.properties.routes.items.properties.filters.additionalProperties.properties.config,data:data85};
if(vErrors === null){
vErrors = [err175];
}
else {
vErrors.push(err175);
}
errors++;
}
}
}
else {
const err176 = {instancePath:instancePath+"/routes/" + i3+"/filters/" + key16.replace(/~/g, "~0").replace(/\//g, "~1"),schemaPath:"#/properties/routes/items/properties/filters/additionalProperties/type",keyword:"type",params:{type: "object"},message:"must be object",schema:schema11.properties.routes.items.properties.filters.additionalProperties.type,parentSchema:schema11.properties.routes.items.properties.filters.additionalProperties,data:data83};
if(vErrors === null){
vErrors = [err176];
}
else {
vErrors.push(err176);
}
errors++;
}
}
}
else {
const err177 = {instancePath:instancePath+"/routes/" + i3+"/filters",schemaPath:"#/properties/routes/items/properties/filters/type",keyword:"type",params:{type: "object"},message:"must be object",schema:schema11.properties.routes.items.properties.filters.type,parentSchema:schema11.properties.routes.items.properties.filters,data:data82};
if(vErrors === null){
vErrors = [err177];
}
else {
vErrors.push(err177);
}
errors++;
}
}
if(data72.timeout !== undefined){
let data86 = data72.timeout;
if(typeof data86 === "string"){
if(!pattern2.test(data86)){
const err178 = {instancePath:instancePath+"/routes/" + i3+"/timeout",schemaPath:"#/properties/routes/items/properties/timeout/pattern",keyword:"pattern",params:{pattern: "^[0-9]+(\\.[0-9]+)?(ms|s|m|h)$"},message:"must match pattern \""+"^[0-9]+(\\.[0-9]+)?(ms|s|m|h)$"+"\"",schema:"^[0-9]+(\\.[0-9]+)?(ms|s|m|h)$",parentSchema:schema11.properties.routes.items.properties.timeout,data:data86};
if(vErrors === null){
vErrors = [err178];
}
else {
vErrors.push(err178);
}
errors++;
}
}
else {
const err179 = {instancePath:instancePath+"/routes/" + i3+"/timeout",schemaPath:"#/properties/routes/items/properties/timeout/type",keyword:"type",params:{type: "string"},message:"must be string",schema:schema11.properties.routes.items.properties.timeout.type,parentSchema:schema11.properties.routes.items.properties.timeout,data:data86};
if(vErrors === null){
vErrors = [err179];
}
else {
vErrors.push(err179);
}
errors++;
}
}
if(data72.idleTimeout !== undefined){
let data87 = data72.idleTimeout;
if(typeof data87 === "string"){
if(!pattern2.test(data87)){
const err180 = {instancePath:instancePath+"/routes/" + i3+"/idleTimeout",schemaPath:"#/properties/routes/items/properties/idleTimeout/pattern",keyword:"pattern",params:{pattern: "^[0-9]+(\\.[0-9]+)?(ms|s|m|h)$"},message:"must match pattern \""+"^[0-9]+(\\.[0-9]+)?(ms|s|m|h)$"+"\"",schema:"^[0-9]+(\\.[0-9]+)?(ms|s|m|h)$",parentSchema:schema11.properties.routes.items.properties.idleTimeout,data:data87};
if(vErrors === null){
vErrors = [err180];
}
else {
vErrors.push(err180);
}
errors++;
}
}
else {
const err181 = {instancePath:instancePath+"/routes/" + i3+"/idleTimeout",schemaPath:"#/properties/routes/items/properties/idleTimeout/type",keyword:"type",params:{type: "string"},message:"must be string",schema:schema11.properties.routes.items.properties.idleTimeout.type,parentSchema:schema11.properties.routes.items.properties.idleTimeout,data:data87};
if(vErrors === null){
vErrors = [err181];
}
else {
vErrors.push(err181);
}
errors++;
}
}
if(data72.retries !== undefined){
let data88 = data72.retries;
if(data88 && typeof data88 == "object" && !Array.isArray(data88)){
for(const key18 in data88){
if(!(((((key18 === "attempts") || (key18 === "on")) || (key18 === "perTryTimeout")) || (key18 === "nonIdempotent")) || (key18 === "backoff"))){
const err182 = {instancePath:instancePath+"/routes/" + i3+"/retries",schemaPath:"#/properties/routes/items/properties/retries/additionalProperties",keyword:"additionalProperties",params:{additionalProperty: key18},message:"must NOT have additional properties",schema:false,parentSchema:schema11.properties.routes.items.properties.retries,data:data88};
if(vErrors === null){
vErrors = [err182];
}
else {
vErrors.push(err182);
}
errors++;
}
}
if(data88.attempts !== undefined){
let data89 = data88.attempts;
if(!(((typeof data89 == "number") && (!(data89 % 1) && !isNaN(data89))) && (isFinite(data89)))){
const err183 = {instancePath:instancePath+"/routes/" + i3+"/retries/attempts",schemaPath:"#/properties/routes/items/properties/retries/properties/attempts/type",keyword:"type",params:{type: "integer"},message:"must be integer",schema:schema11.properties.routes.items.properties.retries.properties.attempts.type,parentSchema:schema11.properties.routes.items.properties.retries.properties.attempts,data:data89};
if(vErrors === null){
vErrors = [err183];
}
else {
vErrors.push(err183);
}
errors++;
}
if((typeof data89 == "number") && (isFinite(data89))){
if(data89 > 10 || isNaN(data89)){
const err184 = {instancePath:instancePath+"/routes/" + i3+"/retries/attempts",schemaPath:"#/properties/routes/items/properties/retries/properties/attempts/maximum",keyword:"maximum",params:{comparison: "<=", limit: 10},message:"must be <= 10",schema:10,parentSchema:schema11.properties.routes.items.properties.retries.properties.attempts,data:data89};
if(vErrors === null){
vErrors = [err184];
}
else {
vErrors.push(err184);
}
errors++;
}
if(data89 < 0 || isNaN(data89)){
const err185 = {instancePath:instancePath+"/routes/" + i3+"/retries/attempts",schemaPath:"#/properties/routes/items/properties/retries/properties/attempts/minimum",keyword:"minimum",params:{comparison: ">=", limit: 0},message:"must be >= 0",schema:0,parentSchema:schema11.properties.routes.items.properties.retries.properties.attempts,data:data89};
if(vErrors === null){
vErrors = [err185];
}
else {
vErrors.push(err185);
}
errors++;
}
}
}
if(data88.on !== undefined){
let data90 = data88.on;
if(Array.isArray(data90)){
const len4 = data90.length;
for(let i4=0; i4<len4; i4++){
let data91 = data90[i4];
if((typeof data91 !== "string") && (!(((typeof data91 == "number") && (!(data91 % 1) && !isNaN(data91))) && (isFinite(data91))))){
const err186 = {instancePath:instancePath+"/routes/" + i3+"/retries/on/" + i4,schemaPath:"#/properties/routes/items/properties/retries/properties/on/items/type",keyword:"type",params:{type: schema11.properties.routes.items.properties.retries.properties.on.items.type},message:"must be string,integer",schema:schema11.properties.routes.items.properties.retries.properties.on.items.type,parentSchema:schema11.properties.routes.items.properties.retries.properties.on.items,data:data91};
if(vErrors === null){
vErrors = [err186];
}
else {
vErrors.push(err186);
}
errors++;
}
if(!((((((((((((data91 === "connect-failure") || (data91 === "reset")) || (data91 === "timeout")) || (data91 === "5xx")) || (data91 === "gateway-error")) || (data91 === "grpc-unavailable")) || (data91 === "502")) || (data91 === "503")) || (data91 === "504")) || (data91 === 502)) || (data91 === 503)) || (data91 === 504))){
const err187 = {instancePath:instancePath+"/routes/" + i3+"/retries/on/" + i4,schemaPath:"#/properties/routes/items/properties/retries/properties/on/items/enum",keyword:"enum",params:{allowedValues: schema11.properties.routes.items.properties.retries.properties.on.items.enum},message:"must be equal to one of the allowed values",schema:schema11.properties.routes.items.properties.retries.properties.on.items.enum,parentSchema:schema11.properties.routes.items.properties.retries.properties.on.items,data:data91};
if(vErrors === null){
vErrors = [err187];
}
else {
vErrors.push(err187);
}
errors++;
}
}
}
else {
const err188 = {instancePath:instancePath+"/routes/" + i3+"/retries/on",schemaPath:"#/properties/routes/items/properties/retries/properties/on/type",keyword:"type",params:{type: "array"},message:"must be array",schema:schema11.properties.routes.items.properties.retries.properties.on.type,parentSchema:schema11.properties.routes.items.properties.retries.properties.on,data:data90};
if(vErrors === null){
vErrors = [err188];
}
else {
vErrors.push(err188);
}
errors++;
}
}
if(data88.perTryTimeout !== undefined){
let data92 = data88.perTryTimeout;
if(typeof data92 === "string"){
if(!pattern2.test(data92)){
const err189 = {instancePath:instancePath+"/routes/" + i3+"/retries/perTryTimeout",schemaPath:"#/properties/routes/items/properties/retries/properties/perTryTimeout/pattern",keyword:"pattern",params:{pattern: "^[0-9]+(\\.[0-9]+)?(ms|s|m|h)$"},message:"must match pattern \""+"^[0-9]+(\\.[0-9]+)?(ms|s|m|h)$"+"\"",schema:"^[0-9]+(\\.[0-9]+)?(ms|s|m|h)$",parentSchema:schema11.properties.routes.items.properties.retries.properties.perTryTimeout,data:data92};
if(vErrors === null){
vErrors = [err189];
}
else {
vErrors.push(err189);
}
errors++;
}
}
else {
const err190 = {instancePath:instancePath+"/routes/" + i3+"/retries/perTryTimeout",schemaPath:"#/properties/routes/items/properties/retries/properties/perTryTimeout/type",keyword:"type",params:{type: "string"},message:"must be string",schema:schema11.properties.routes.items.properties.retries.properties.perTryTimeout.type,parentSchema:schema11.properties.routes.items.properties.retries.properties.perTryTimeout,data:data92};
if(vErrors === null){
vErrors = [err190];
}
else {
vErrors.push(err190);
}
errors++;
}
}
if(data88.nonIdempotent !== undefined){
let data93 = data88.nonIdempotent;
if(typeof data93 !== "boolean"){
const err191 = {instancePath:instancePath+"/routes/" + i3+"/retries/nonIdempotent",schemaPath:"#/properties/routes/items/properties/retries/properties/nonIdempotent/type",keyword:"type",params:{type: "boolean"},message:"must be boolean",schema:schema11.properties.routes.items.properties.retries.properties.nonIdempotent.type,parentSchema:schema11.properties.routes.items.properties.retries.properties.nonIdempotent,data:data93};
if(vErrors === null){
vErrors = [err191];
}
else {
vErrors.push(err191);
}
errors++;
}
}
if(data88.backoff !== undefined){
let data94 = data88.backoff;
if(data94 && typeof data94 == "object" && !Array.isArray(data94)){
for(const key19 in data94){
if(!((key19 === "base") || (key19 === "max"))){
const err192 = {instancePath:instancePath+"/routes/" + i3+"/retries/backoff",schemaPath:"#/properties/routes/items/properties/retries/properties/backoff/additionalProperties",keyword:"additionalProperties",params:{additionalProperty: key19},message:"must NOT have additional properties",schema:false,parentSchema:schema11.properties.routes.items.properties.retries.properties.backoff,data:data94};
if(vErrors === null){
vErrors = [err192];
}
else {
vErrors.push(err192);
}
errors++;
}
}
if(data94.base !== undefined){
let data95 = data94.base;
if(typeof data95 === "string"){
if(!pattern2.test(data95)){
const err193 = {instancePath:instancePath+"/routes/" + i3+"/retries/backoff/base",schemaPath:"#/properties/routes/items/properties/retries/properties/backoff/properties/base/pattern",keyword:"pattern",params:{pattern: "^[0-9]+(\\.[0-9]+)?(ms|s|m|h)$"},message:"must match pattern \""+"^[0-9]+(\\.[0-9]+)?(ms|s|m|h)$"+"\"",schema:"^[0-9]+(\\.[0-9]+)?(ms|s|m|h)$",parentSchema:schema11.properties.routes.items.properties.retries.properties.backoff.properties.base,data:data95};
if(vErrors === null){
vErrors = [err193];
}
else {
vErrors.push(err193);
}
errors++;
}
}
else {
const err194 = {instancePath:instancePath+"/routes/" + i3+"/retries/backoff/base",schemaPath:"#/properties/routes/items/properties/retries/properties/backoff/properties/base/type",keyword:"type",params:{type: "string"},message:"must be string",schema:schema11.properties.routes.items.properties.retries.properties.backoff.properties.base.type,parentSchema:schema11.properties.routes.items.properties.retries.properties.backoff.properties.base,data:data95};
if(vErrors === null){
vErrors = [err194];
}
else {
vErrors.push(err194);
}
errors++;
}
}
if(data94.max !== undefined){
let data96 = data94.max;
if(typeof data96 === "string"){
if(!pattern2.test(data96)){
const err195 = {instancePath:instancePath+"/routes/" + i3+"/retries/backoff/max",schemaPath:"#/properties/routes/items/properties/retries/properties/backoff/properties/max/pattern",keyword:"pattern",params:{pattern: "^[0-9]+(\\.[0-9]+)?(ms|s|m|h)$"},message:"must match pattern \""+"^[0-9]+(\\.[0-9]+)?(ms|s|m|h)$"+"\"",schema:"^[0-9]+(\\.[0-9]+)?(ms|s|m|h)$",parentSchema:schema11.properties.routes.items.properties.retries.properties.backoff.properties.max,data:data96};
if(vErrors === null){
vErrors = [err195];
}
else {
vErrors.push(err195);
}
errors++;
}
}
else {
const err196 = {instancePath:instancePath+"/routes/" + i3+"/retries/backoff/max",schemaPath:"#/properties/routes/items/properties/retries/properties/backoff/properties/max/type",keyword:"type",params:{type: "string"},message:"must be string",schema:schema11.properties.routes.items.properties.retries.properties.backoff.properties.max.type,parentSchema:schema11.properties.routes.items.properties.retries.properties.backoff.properties.max,data:data96};
if(vErrors === null){
vErrors = [err196];
}
else {
vErrors.push(err196);
}
errors++;
}
}
}
else {
const err197 = {instancePath:instancePath+"/routes/" + i3+"/retries/backoff",schemaPath:"#/properties/routes/items/properties/retries/properties/backoff/type",keyword:"type",params:{type: "object"},message:"must be object",schema:schema11.properties.routes.items.properties.retries.properties.backoff.type,parentSchema:schema11.properties.routes.items.properties.retries.properties.backoff,data:data94};
if(vErrors === null){
vErrors = [err197];
}
else {
vErrors.push(err197);
}
errors++;
}
}
}
else {
const err198 = {instancePath:instancePath+"/routes/" + i3+"/retries",schemaPath:"#/properties/routes/items/properties/retries/type",keyword:"type",params:{type: "object"},message:"must be object",schema:schema11.properties.routes.items.properties.retries.type,parentSchema:schema11.properties.routes.items.properties.retries,data:data88};
if(vErrors === null){
vErrors = [err198];
}
else {
vErrors.push(err198);
}
errors++;
}
}
}
else {
const err199 = {instancePath:instancePath+"/routes/" + i3,schemaPath:"#/properties/routes/items/type",keyword:"type",params:{type: "object"},message:"must be object",schema:schema11.properties.routes.items.type,parentSchema:schema11.properties.routes.items,data:data72};
if(vErrors === null){
vErrors = [err199];
}
else {
vErrors.push(err199);
}
errors++;
}
}
}
else {
const err200 = {instancePath:instancePath+"/routes",schemaPath:"#/properties/routes/type",keyword:"type",params:{type: "array"},message:"must be array",schema:schema11.properties.routes.type,parentSchema:schema11.properties.routes,data:data71};
if(vErrors === null){
vErrors = [err200];
}
else {
vErrors.push(err200);
}
errors++;
}
}
}
else {
const err201 = {instancePath,schemaPath:"#/type",keyword:"type",params:{type: "object"},message:"must be object",schema:schema11.type,parentSchema:schema11,data};
if(vErrors === null){
vErrors = [err201];
}
else {
vErrors.push(err201);
}
errors++;
}
validate10.errors = vErrors;
return errors === 0;
}

