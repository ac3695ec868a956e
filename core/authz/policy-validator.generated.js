// Generated from core/authz/policy-schema.ts by `npm run generate:validators (release/generate-validators.ts)`: do not edit; run that command after changing the schema.
import runtime0 from 'ajv/dist/runtime/ucs2length.js';
export const validatePolicySchema = validate10;
const schema11 = {"type":"object","additionalProperties":false,"required":["kind","service"],"properties":{"kind":{"const":"AuthorizationPolicy"},"service":{"type":"string","pattern":"^(?!\\.\\.?$)[A-Za-z0-9._-]+$","description":"a service name (letters, digits, \".\", \"-\", \"_\")"},"mode":{"enum":["enforce","audit"]},"default":{"enum":["deny","allow"]},"rules":{"type":"array","items":{"type":"object","additionalProperties":false,"required":["name"],"properties":{"name":{"type":"string","pattern":"^[A-Za-z0-9_.-]+$","description":"a rule name (letters, digits, \".\", \"-\", \"_\")"},"action":{"enum":["allow","deny"]},"from":{"type":"object","additionalProperties":false,"properties":{"principals":{"type":"array","minItems":1,"description":"SPIFFE IDs","items":{"type":"string","minLength":1}},"namespaces":{"type":"array","minItems":1,"description":"namespaces","items":{"type":"string","minLength":1}}}},"to":{"type":"object","additionalProperties":false,"properties":{"paths":{"type":"array","minItems":1,"description":"paths","items":{"type":"string","minLength":1}},"methods":{"type":"array","minItems":1,"description":"methods","items":{"type":"string","minLength":1}},"headers":{"type":"object","propertyNames":{"pattern":"^[A-Za-z0-9!#$%&'*+.^_`|~-]+$","description":"a header name"},"additionalProperties":{"description":"a header value or a list of them","anyOf":[{"type":"string","minLength":1},{"type":"array","minItems":1,"items":{"type":"string","minLength":1}}]}}}}}}}}};
const pattern0 = new RegExp("^(?!\\.\\.?$)[A-Za-z0-9._-]+$", "u");
const pattern1 = new RegExp("^[A-Za-z0-9_.-]+$", "u");
const pattern2 = new RegExp("^[A-Za-z0-9!#$%&'*+.^_`|~-]+$", "u");
const func2 = runtime0.default;

function validate10(data, {instancePath="", parentData, parentDataProperty, rootData=data}={}){
let vErrors = null;
let errors = 0;
if(data && typeof data == "object" && !Array.isArray(data)){
if(data.kind === undefined){
const err0 = {instancePath,schemaPath:"#/required",keyword:"required",params:{missingProperty: "kind"},message:"must have required property '"+"kind"+"'",schema:schema11.required,parentSchema:schema11,data};
if(vErrors === null){
vErrors = [err0];
}
else {
vErrors.push(err0);
}
errors++;
}
if(data.service === undefined){
const err1 = {instancePath,schemaPath:"#/required",keyword:"required",params:{missingProperty: "service"},message:"must have required property '"+"service"+"'",schema:schema11.required,parentSchema:schema11,data};
if(vErrors === null){
vErrors = [err1];
}
else {
vErrors.push(err1);
}
errors++;
}
for(const key0 in data){
if(!(((((key0 === "kind") || (key0 === "service")) || (key0 === "mode")) || (key0 === "default")) || (key0 === "rules"))){
const err2 = {instancePath,schemaPath:"#/additionalProperties",keyword:"additionalProperties",params:{additionalProperty: key0},message:"must NOT have additional properties",schema:false,parentSchema:schema11,data};
if(vErrors === null){
vErrors = [err2];
}
else {
vErrors.push(err2);
}
errors++;
}
}
if(data.kind !== undefined){
let data0 = data.kind;
if("AuthorizationPolicy" !== data0){
const err3 = {instancePath:instancePath+"/kind",schemaPath:"#/properties/kind/const",keyword:"const",params:{allowedValue: "AuthorizationPolicy"},message:"must be equal to constant",schema:"AuthorizationPolicy",parentSchema:schema11.properties.kind,data:data0};
if(vErrors === null){
vErrors = [err3];
}
else {
vErrors.push(err3);
}
errors++;
}
}
if(data.service !== undefined){
let data1 = data.service;
if(typeof data1 === "string"){
if(!pattern0.test(data1)){
const err4 = {instancePath:instancePath+"/service",schemaPath:"#/properties/service/pattern",keyword:"pattern",params:{pattern: "^(?!\\.\\.?$)[A-Za-z0-9._-]+$"},message:"must match pattern \""+"^(?!\\.\\.?$)[A-Za-z0-9._-]+$"+"\"",schema:"^(?!\\.\\.?$)[A-Za-z0-9._-]+$",parentSchema:schema11.properties.service,data:data1};
if(vErrors === null){
vErrors = [err4];
}
else {
vErrors.push(err4);
}
errors++;
}
}
else {
const err5 = {instancePath:instancePath+"/service",schemaPath:"#/properties/service/type",keyword:"type",params:{type: "string"},message:"must be string",schema:schema11.properties.service.type,parentSchema:schema11.properties.service,data:data1};
if(vErrors === null){
vErrors = [err5];
}
else {
vErrors.push(err5);
}
errors++;
}
}
if(data.mode !== undefined){
let data2 = data.mode;
if(!((data2 === "enforce") || (data2 === "audit"))){
const err6 = {instancePath:instancePath+"/mode",schemaPath:"#/properties/mode/enum",keyword:"enum",params:{allowedValues: schema11.properties.mode.enum},message:"must be equal to one of the allowed values",schema:schema11.properties.mode.enum,parentSchema:schema11.properties.mode,data:data2};
if(vErrors === null){
vErrors = [err6];
}
else {
vErrors.push(err6);
}
errors++;
}
}
if(data.default !== undefined){
let data3 = data.default;
if(!((data3 === "deny") || (data3 === "allow"))){
const err7 = {instancePath:instancePath+"/default",schemaPath:"#/properties/default/enum",keyword:"enum",params:{allowedValues: schema11.properties.default.enum},message:"must be equal to one of the allowed values",schema:schema11.properties.default.enum,parentSchema:schema11.properties.default,data:data3};
if(vErrors === null){
vErrors = [err7];
}
else {
vErrors.push(err7);
}
errors++;
}
}
if(data.rules !== undefined){
let data4 = data.rules;
if(Array.isArray(data4)){
const len0 = data4.length;
for(let i0=0; i0<len0; i0++){
let data5 = data4[i0];
if(data5 && typeof data5 == "object" && !Array.isArray(data5)){
if(data5.name === undefined){
const err8 = {instancePath:instancePath+"/rules/" + i0,schemaPath:"#/properties/rules/items/required",keyword:"required",params:{missingProperty: "name"},message:"must have required property '"+"name"+"'",schema:schema11.properties.rules.items.required,parentSchema:schema11.properties.rules.items,data:data5};
if(vErrors === null){
vErrors = [err8];
}
else {
vErrors.push(err8);
}
errors++;
}
for(const key1 in data5){
if(!((((key1 === "name") || (key1 === "action")) || (key1 === "from")) || (key1 === "to"))){
const err9 = {instancePath:instancePath+"/rules/" + i0,schemaPath:"#/properties/rules/items/additionalProperties",keyword:"additionalProperties",params:{additionalProperty: key1},message:"must NOT have additional properties",schema:false,parentSchema:schema11.properties.rules.items,data:data5};
if(vErrors === null){
vErrors = [err9];
}
else {
vErrors.push(err9);
}
errors++;
}
}
if(data5.name !== undefined){
let data6 = data5.name;
if(typeof data6 === "string"){
if(!pattern1.test(data6)){
const err10 = {instancePath:instancePath+"/rules/" + i0+"/name",schemaPath:"#/properties/rules/items/properties/name/pattern",keyword:"pattern",params:{pattern: "^[A-Za-z0-9_.-]+$"},message:"must match pattern \""+"^[A-Za-z0-9_.-]+$"+"\"",schema:"^[A-Za-z0-9_.-]+$",parentSchema:schema11.properties.rules.items.properties.name,data:data6};
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
const err11 = {instancePath:instancePath+"/rules/" + i0+"/name",schemaPath:"#/properties/rules/items/properties/name/type",keyword:"type",params:{type: "string"},message:"must be string",schema:schema11.properties.rules.items.properties.name.type,parentSchema:schema11.properties.rules.items.properties.name,data:data6};
if(vErrors === null){
vErrors = [err11];
}
else {
vErrors.push(err11);
}
errors++;
}
}
if(data5.action !== undefined){
let data7 = data5.action;
if(!((data7 === "allow") || (data7 === "deny"))){
const err12 = {instancePath:instancePath+"/rules/" + i0+"/action",schemaPath:"#/properties/rules/items/properties/action/enum",keyword:"enum",params:{allowedValues: schema11.properties.rules.items.properties.action.enum},message:"must be equal to one of the allowed values",schema:schema11.properties.rules.items.properties.action.enum,parentSchema:schema11.properties.rules.items.properties.action,data:data7};
if(vErrors === null){
vErrors = [err12];
}
else {
vErrors.push(err12);
}
errors++;
}
}
if(data5.from !== undefined){
let data8 = data5.from;
if(data8 && typeof data8 == "object" && !Array.isArray(data8)){
for(const key2 in data8){
if(!((key2 === "principals") || (key2 === "namespaces"))){
const err13 = {instancePath:instancePath+"/rules/" + i0+"/from",schemaPath:"#/properties/rules/items/properties/from/additionalProperties",keyword:"additionalProperties",params:{additionalProperty: key2},message:"must NOT have additional properties",schema:false,parentSchema:schema11.properties.rules.items.properties.from,data:data8};
if(vErrors === null){
vErrors = [err13];
}
else {
vErrors.push(err13);
}
errors++;
}
}
if(data8.principals !== undefined){
let data9 = data8.principals;
if(Array.isArray(data9)){
if(data9.length < 1){
const err14 = {instancePath:instancePath+"/rules/" + i0+"/from/principals",schemaPath:"#/properties/rules/items/properties/from/properties/principals/minItems",keyword:"minItems",params:{limit: 1},message:"must NOT have fewer than 1 items",schema:1,parentSchema:schema11.properties.rules.items.properties.from.properties.principals,data:data9};
if(vErrors === null){
vErrors = [err14];
}
else {
vErrors.push(err14);
}
errors++;
}
const len1 = data9.length;
for(let i1=0; i1<len1; i1++){
let data10 = data9[i1];
if(typeof data10 === "string"){
if(func2(data10) < 1){
const err15 = {instancePath:instancePath+"/rules/" + i0+"/from/principals/" + i1,schemaPath:"#/properties/rules/items/properties/from/properties/principals/items/minLength",keyword:"minLength",params:{limit: 1},message:"must NOT have fewer than 1 characters",schema:1,parentSchema:schema11.properties.rules.items.properties.from.properties.principals.items,data:data10};
if(vErrors === null){
vErrors = [err15];
}
else {
vErrors.push(err15);
}
errors++;
}
}
else {
const err16 = {instancePath:instancePath+"/rules/" + i0+"/from/principals/" + i1,schemaPath:"#/properties/rules/items/properties/from/properties/principals/items/type",keyword:"type",params:{type: "string"},message:"must be string",schema:schema11.properties.rules.items.properties.from.properties.principals.items.type,parentSchema:schema11.properties.rules.items.properties.from.properties.principals.items,data:data10};
if(vErrors === null){
vErrors = [err16];
}
else {
vErrors.push(err16);
}
errors++;
}
}
}
else {
const err17 = {instancePath:instancePath+"/rules/" + i0+"/from/principals",schemaPath:"#/properties/rules/items/properties/from/properties/principals/type",keyword:"type",params:{type: "array"},message:"must be array",schema:schema11.properties.rules.items.properties.from.properties.principals.type,parentSchema:schema11.properties.rules.items.properties.from.properties.principals,data:data9};
if(vErrors === null){
vErrors = [err17];
}
else {
vErrors.push(err17);
}
errors++;
}
}
if(data8.namespaces !== undefined){
let data11 = data8.namespaces;
if(Array.isArray(data11)){
if(data11.length < 1){
const err18 = {instancePath:instancePath+"/rules/" + i0+"/from/namespaces",schemaPath:"#/properties/rules/items/properties/from/properties/namespaces/minItems",keyword:"minItems",params:{limit: 1},message:"must NOT have fewer than 1 items",schema:1,parentSchema:schema11.properties.rules.items.properties.from.properties.namespaces,data:data11};
if(vErrors === null){
vErrors = [err18];
}
else {
vErrors.push(err18);
}
errors++;
}
const len2 = data11.length;
for(let i2=0; i2<len2; i2++){
let data12 = data11[i2];
if(typeof data12 === "string"){
if(func2(data12) < 1){
const err19 = {instancePath:instancePath+"/rules/" + i0+"/from/namespaces/" + i2,schemaPath:"#/properties/rules/items/properties/from/properties/namespaces/items/minLength",keyword:"minLength",params:{limit: 1},message:"must NOT have fewer than 1 characters",schema:1,parentSchema:schema11.properties.rules.items.properties.from.properties.namespaces.items,data:data12};
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
const err20 = {instancePath:instancePath+"/rules/" + i0+"/from/namespaces/" + i2,schemaPath:"#/properties/rules/items/properties/from/properties/namespaces/items/type",keyword:"type",params:{type: "string"},message:"must be string",schema:schema11.properties.rules.items.properties.from.properties.namespaces.items.type,parentSchema:schema11.properties.rules.items.properties.from.properties.namespaces.items,data:data12};
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
const err21 = {instancePath:instancePath+"/rules/" + i0+"/from/namespaces",schemaPath:"#/properties/rules/items/properties/from/properties/namespaces/type",keyword:"type",params:{type: "array"},message:"must be array",schema:schema11.properties.rules.items.properties.from.properties.namespaces.type,parentSchema:schema11.properties.rules.items.properties.from.properties.namespaces,data:data11};
if(vErrors === null){
vErrors = [err21];
}
else {
vErrors.push(err21);
}
errors++;
}
}
}
else {
const err22 = {instancePath:instancePath+"/rules/" + i0+"/from",schemaPath:"#/properties/rules/items/properties/from/type",keyword:"type",params:{type: "object"},message:"must be object",schema:schema11.properties.rules.items.properties.from.type,parentSchema:schema11.properties.rules.items.properties.from,data:data8};
if(vErrors === null){
vErrors = [err22];
}
else {
vErrors.push(err22);
}
errors++;
}
}
if(data5.to !== undefined){
let data13 = data5.to;
if(data13 && typeof data13 == "object" && !Array.isArray(data13)){
for(const key3 in data13){
if(!(((key3 === "paths") || (key3 === "methods")) || (key3 === "headers"))){
const err23 = {instancePath:instancePath+"/rules/" + i0+"/to",schemaPath:"#/properties/rules/items/properties/to/additionalProperties",keyword:"additionalProperties",params:{additionalProperty: key3},message:"must NOT have additional properties",schema:false,parentSchema:schema11.properties.rules.items.properties.to,data:data13};
if(vErrors === null){
vErrors = [err23];
}
else {
vErrors.push(err23);
}
errors++;
}
}
if(data13.paths !== undefined){
let data14 = data13.paths;
if(Array.isArray(data14)){
if(data14.length < 1){
const err24 = {instancePath:instancePath+"/rules/" + i0+"/to/paths",schemaPath:"#/properties/rules/items/properties/to/properties/paths/minItems",keyword:"minItems",params:{limit: 1},message:"must NOT have fewer than 1 items",schema:1,parentSchema:schema11.properties.rules.items.properties.to.properties.paths,data:data14};
if(vErrors === null){
vErrors = [err24];
}
else {
vErrors.push(err24);
}
errors++;
}
const len3 = data14.length;
for(let i3=0; i3<len3; i3++){
let data15 = data14[i3];
if(typeof data15 === "string"){
if(func2(data15) < 1){
const err25 = {instancePath:instancePath+"/rules/" + i0+"/to/paths/" + i3,schemaPath:"#/properties/rules/items/properties/to/properties/paths/items/minLength",keyword:"minLength",params:{limit: 1},message:"must NOT have fewer than 1 characters",schema:1,parentSchema:schema11.properties.rules.items.properties.to.properties.paths.items,data:data15};
if(vErrors === null){
vErrors = [err25];
}
else {
vErrors.push(err25);
}
errors++;
}
}
else {
const err26 = {instancePath:instancePath+"/rules/" + i0+"/to/paths/" + i3,schemaPath:"#/properties/rules/items/properties/to/properties/paths/items/type",keyword:"type",params:{type: "string"},message:"must be string",schema:schema11.properties.rules.items.properties.to.properties.paths.items.type,parentSchema:schema11.properties.rules.items.properties.to.properties.paths.items,data:data15};
if(vErrors === null){
vErrors = [err26];
}
else {
vErrors.push(err26);
}
errors++;
}
}
}
else {
const err27 = {instancePath:instancePath+"/rules/" + i0+"/to/paths",schemaPath:"#/properties/rules/items/properties/to/properties/paths/type",keyword:"type",params:{type: "array"},message:"must be array",schema:schema11.properties.rules.items.properties.to.properties.paths.type,parentSchema:schema11.properties.rules.items.properties.to.properties.paths,data:data14};
if(vErrors === null){
vErrors = [err27];
}
else {
vErrors.push(err27);
}
errors++;
}
}
if(data13.methods !== undefined){
let data16 = data13.methods;
if(Array.isArray(data16)){
if(data16.length < 1){
const err28 = {instancePath:instancePath+"/rules/" + i0+"/to/methods",schemaPath:"#/properties/rules/items/properties/to/properties/methods/minItems",keyword:"minItems",params:{limit: 1},message:"must NOT have fewer than 1 items",schema:1,parentSchema:schema11.properties.rules.items.properties.to.properties.methods,data:data16};
if(vErrors === null){
vErrors = [err28];
}
else {
vErrors.push(err28);
}
errors++;
}
const len4 = data16.length;
for(let i4=0; i4<len4; i4++){
let data17 = data16[i4];
if(typeof data17 === "string"){
if(func2(data17) < 1){
const err29 = {instancePath:instancePath+"/rules/" + i0+"/to/methods/" + i4,schemaPath:"#/properties/rules/items/properties/to/properties/methods/items/minLength",keyword:"minLength",params:{limit: 1},message:"must NOT have fewer than 1 characters",schema:1,parentSchema:schema11.properties.rules.items.properties.to.properties.methods.items,data:data17};
if(vErrors === null){
vErrors = [err29];
}
else {
vErrors.push(err29);
}
errors++;
}
}
else {
const err30 = {instancePath:instancePath+"/rules/" + i0+"/to/methods/" + i4,schemaPath:"#/properties/rules/items/properties/to/properties/methods/items/type",keyword:"type",params:{type: "string"},message:"must be string",schema:schema11.properties.rules.items.properties.to.properties.methods.items.type,parentSchema:schema11.properties.rules.items.properties.to.properties.methods.items,data:data17};
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
else {
const err31 = {instancePath:instancePath+"/rules/" + i0+"/to/methods",schemaPath:"#/properties/rules/items/properties/to/properties/methods/type",keyword:"type",params:{type: "array"},message:"must be array",schema:schema11.properties.rules.items.properties.to.properties.methods.type,parentSchema:schema11.properties.rules.items.properties.to.properties.methods,data:data16};
if(vErrors === null){
vErrors = [err31];
}
else {
vErrors.push(err31);
}
errors++;
}
}
if(data13.headers !== undefined){
let data18 = data13.headers;
if(data18 && typeof data18 == "object" && !Array.isArray(data18)){
for(const key4 in data18){
const _errs39 = errors;
if(typeof key4 === "string"){
if(!pattern2.test(key4)){
const err32 = {instancePath:instancePath+"/rules/" + i0+"/to/headers",schemaPath:"#/properties/rules/items/properties/to/properties/headers/propertyNames/pattern",keyword:"pattern",params:{pattern: "^[A-Za-z0-9!#$%&'*+.^_`|~-]+$"},message:"must match pattern \""+"^[A-Za-z0-9!#$%&'*+.^_`|~-]+$"+"\"",schema:"^[A-Za-z0-9!#$%&'*+.^_`|~-]+$",parentSchema:schema11.properties.rules.items.properties.to.properties.headers.propertyNames,data:key4,propertyName:key4};
if(vErrors === null){
vErrors = [err32];
}
else {
vErrors.push(err32);
}
errors++;
}
}
var valid14 = _errs39 === errors;
if(!valid14){
const err33 = {instancePath:instancePath+"/rules/" + i0+"/to/headers",schemaPath:"#/properties/rules/items/properties/to/properties/headers/propertyNames",keyword:"propertyNames",params:{propertyName: key4},message:"property name must be valid",schema:schema11.properties.rules.items.properties.to.properties.headers.propertyNames,parentSchema:schema11.properties.rules.items.properties.to.properties.headers,data:data18};
if(vErrors === null){
vErrors = [err33];
}
else {
vErrors.push(err33);
}
errors++;
}
}
for(const key5 in data18){
let data19 = data18[key5];
const _errs42 = errors;
let valid16 = false;
const _errs43 = errors;
if(typeof data19 === "string"){
if(func2(data19) < 1){
const err34 = {instancePath:instancePath+"/rules/" + i0+"/to/headers/" + key5.replace(/~/g, "~0").replace(/\//g, "~1"),schemaPath:"#/properties/rules/items/properties/to/properties/headers/additionalProperties/anyOf/0/minLength",keyword:"minLength",params:{limit: 1},message:"must NOT have fewer than 1 characters",schema:1,parentSchema:schema11.properties.rules.items.properties.to.properties.headers.additionalProperties.anyOf[0],data:data19};
if(vErrors === null){
vErrors = [err34];
}
else {
vErrors.push(err34);
}
errors++;
}
}
else {
const err35 = {instancePath:instancePath+"/rules/" + i0+"/to/headers/" + key5.replace(/~/g, "~0").replace(/\//g, "~1"),schemaPath:"#/properties/rules/items/properties/to/properties/headers/additionalProperties/anyOf/0/type",keyword:"type",params:{type: "string"},message:"must be string",schema:schema11.properties.rules.items.properties.to.properties.headers.additionalProperties.anyOf[0].type,parentSchema:schema11.properties.rules.items.properties.to.properties.headers.additionalProperties.anyOf[0],data:data19};
if(vErrors === null){
vErrors = [err35];
}
else {
vErrors.push(err35);
}
errors++;
}
var _valid0 = _errs43 === errors;
valid16 = valid16 || _valid0;
if(!valid16){
const _errs45 = errors;
if(Array.isArray(data19)){
if(data19.length < 1){
const err36 = {instancePath:instancePath+"/rules/" + i0+"/to/headers/" + key5.replace(/~/g, "~0").replace(/\//g, "~1"),schemaPath:"#/properties/rules/items/properties/to/properties/headers/additionalProperties/anyOf/1/minItems",keyword:"minItems",params:{limit: 1},message:"must NOT have fewer than 1 items",schema:1,parentSchema:schema11.properties.rules.items.properties.to.properties.headers.additionalProperties.anyOf[1],data:data19};
if(vErrors === null){
vErrors = [err36];
}
else {
vErrors.push(err36);
}
errors++;
}
const len5 = data19.length;
for(let i5=0; i5<len5; i5++){
let data20 = data19[i5];
if(typeof data20 === "string"){
if(func2(data20) < 1){
const err37 = {instancePath:instancePath+"/rules/" + i0+"/to/headers/" + key5.replace(/~/g, "~0").replace(/\//g, "~1")+"/" + i5,schemaPath:"#/properties/rules/items/properties/to/properties/headers/additionalProperties/anyOf/1/items/minLength",keyword:"minLength",params:{limit: 1},message:"must NOT have fewer than 1 characters",schema:1,parentSchema:schema11.properties.rules.items.properties.to.properties.headers.additionalProperties.anyOf[1].items,data:data20};
if(vErrors === null){
vErrors = [err37];
}
else {
vErrors.push(err37);
}
errors++;
}
}
else {
const err38 = {instancePath:instancePath+"/rules/" + i0+"/to/headers/" + key5.replace(/~/g, "~0").replace(/\//g, "~1")+"/" + i5,schemaPath:"#/properties/rules/items/properties/to/properties/headers/additionalProperties/anyOf/1/items/type",keyword:"type",params:{type: "string"},message:"must be string",schema:schema11.properties.rules.items.properties.to.properties.headers.additionalProperties.anyOf[1].items.type,parentSchema:schema11.properties.rules.items.properties.to.properties.headers.additionalProperties.anyOf[1].items,data:data20};
if(vErrors === null){
vErrors = [err38];
}
else {
vErrors.push(err38);
}
errors++;
}
}
}
else {
const err39 = {instancePath:instancePath+"/rules/" + i0+"/to/headers/" + key5.replace(/~/g, "~0").replace(/\//g, "~1"),schemaPath:"#/properties/rules/items/properties/to/properties/headers/additionalProperties/anyOf/1/type",keyword:"type",params:{type: "array"},message:"must be array",schema:schema11.properties.rules.items.properties.to.properties.headers.additionalProperties.anyOf[1].type,parentSchema:schema11.properties.rules.items.properties.to.properties.headers.additionalProperties.anyOf[1],data:data19};
if(vErrors === null){
vErrors = [err39];
}
else {
vErrors.push(err39);
}
errors++;
}
var _valid0 = _errs45 === errors;
valid16 = valid16 || _valid0;
}
if(!valid16){
const err40 = {instancePath:instancePath+"/rules/" + i0+"/to/headers/" + key5.replace(/~/g, "~0").replace(/\//g, "~1"),schemaPath:"#/properties/rules/items/properties/to/properties/headers/additionalProperties/anyOf",keyword:"anyOf",params:{},message:"must match a schema in anyOf",schema:schema11.properties.rules.items.properties.to.properties.headers.additionalProperties.anyOf,parentSchema:schema11.properties.rules.items.properties.to.properties.headers.additionalProperties,data:data19};
if(vErrors === null){
vErrors = [err40];
}
else {
vErrors.push(err40);
}
errors++;
}
else {
errors = _errs42;
if(vErrors !== null){
if(_errs42){
vErrors.length = _errs42;
}
else {
vErrors = null;
}
}
}
}
}
else {
const err41 = {instancePath:instancePath+"/rules/" + i0+"/to/headers",schemaPath:"#/properties/rules/items/properties/to/properties/headers/type",keyword:"type",params:{type: "object"},message:"must be object",schema:schema11.properties.rules.items.properties.to.properties.headers.type,parentSchema:schema11.properties.rules.items.properties.to.properties.headers,data:data18};
if(vErrors === null){
vErrors = [err41];
}
else {
vErrors.push(err41);
}
errors++;
}
}
}
else {
const err42 = {instancePath:instancePath+"/rules/" + i0+"/to",schemaPath:"#/properties/rules/items/properties/to/type",keyword:"type",params:{type: "object"},message:"must be object",schema:schema11.properties.rules.items.properties.to.type,parentSchema:schema11.properties.rules.items.properties.to,data:data13};
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
const err43 = {instancePath:instancePath+"/rules/" + i0,schemaPath:"#/properties/rules/items/type",keyword:"type",params:{type: "object"},message:"must be object",schema:schema11.properties.rules.items.type,parentSchema:schema11.properties.rules.items,data:data5};
if(vErrors === null){
vErrors = [err43];
}
else {
vErrors.push(err43);
}
errors++;
}
}
}
else {
const err44 = {instancePath:instancePath+"/rules",schemaPath:"#/properties/rules/type",keyword:"type",params:{type: "array"},message:"must be array",schema:schema11.properties.rules.type,parentSchema:schema11.properties.rules,data:data4};
if(vErrors === null){
vErrors = [err44];
}
else {
vErrors.push(err44);
}
errors++;
}
}
}
else {
const err45 = {instancePath,schemaPath:"#/type",keyword:"type",params:{type: "object"},message:"must be object",schema:schema11.type,parentSchema:schema11,data};
if(vErrors === null){
vErrors = [err45];
}
else {
vErrors.push(err45);
}
errors++;
}
validate10.errors = vErrors;
return errors === 0;
}

