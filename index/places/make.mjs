// Writes us-places.tsv beside this file: every place of the U.S. Census
// Bureau's 2022 Gazetteer (incorporated places and census designated places,
// public domain), as Debian's weather-util-data package ships it
// (/usr/share/weather-util/places.gz, built by weather-util from
// 2022_Gaz_place_national.zip; ISC licence for the packaging).
//
//   apt-get install weather-util-data && node index/places/make.mjs [PLACES.gz]
//
// One place a line, sorted by GEOID:
// "GEOID<TAB>name<TAB>state<TAB>lat<TAB>lon<TAB>description".
// The name is the Gazetteer's NAME less its legal/statistical area
// description ("Philadelphia city" -> "Philadelphia", "King of Prussia CDP"
// -> "King of Prussia", "Nashville-Davidson metropolitan government
// (balance)" -> "Nashville-Davidson"); of a consolidated city-county named
// "City/County" only the city ("Louisville/Jefferson County" ->
// "Louisville"); of "Official (Common)" the common name ("San Buenaventura
// (Ventura)" -> "Ventura"). A consolidated city listed twice (the city and
// its balance) is kept once. lat and lon are the Census internal point, degrees to five
// decimals (about a metre). The description is the one taken off the name
// ("city", "town", "village", "borough", "CDP", ...; empty when there was
// none). The index crate embeds the file at build time
// (include_str!) for the names a results map shows; nothing is fetched
// when a page is served.
import { readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { gunzipSync } from "node:zlib";

const here = path.dirname(fileURLToPath(import.meta.url));
const source = process.argv[2] ?? "/usr/share/weather-util/places.gz";
const text = gunzipSync(readFileSync(source)).toString("utf8");

// The Gazetteer's legal/statistical area descriptions that end a place's
// NAME, longest first (Census LSAD codes for places). Case matters:
// "Carson City" is a name, "Cañon City city" a name and its description.
const DESCRIPTIONS = [
  "consolidated government",
  "metropolitan government",
  "unified government",
  "metro government",
  "metro township",
  "city and borough",
  "urban county",
  "zona urbana",
  "municipality",
  "corporation",
  "comunidad",
  "borough",
  "village",
  "city",
  "town",
  "CDP",
];

// (name, description): the description is "" for a place named without one
// ("Carson City", "Macon-Bibb County")
function placeName(full) {
  let name = full.replace(/ \(balance\)$/, "");
  let description = "";
  for (const d of DESCRIPTIONS) {
    if (name.endsWith(` ${d}`)) {
      name = name.slice(0, -d.length - 1);
      description = d;
      break;
    }
  }
  // "San Buenaventura (Ventura)": the Gazetteer's official name, then the
  // one people use
  const common = name.match(/\(([^()]+)\)$/);
  if (common) name = common[1];
  return [name.split("/")[0].trim(), description];
}

const degrees = (radians) => ((Number(radians) * 180) / Math.PI).toFixed(5);
const places = [];
// sections: [fipsSSPPPPP] (a place: state and place FIPS, seven digits)
const section = /^\[fips(\d{7})\]\n((?:[a-z]+ = .*\n)+)/gm;
for (const [, geoid, body] of text.matchAll(section)) {
  const field = (key) => body.match(new RegExp(`^${key} = (.*)$`, "m"))?.[1];
  const centroid = field("centroid")?.match(/^\(([-\d.]+), ([-\d.]+)\)$/);
  const description = field("description")?.match(/^(.*), ([A-Z]{2})$/);
  if (!centroid || !description) throw new Error(`place ${geoid}: unreadable record`);
  const [name, kind] = placeName(description[1]);
  if (!name || /[\t\n]/.test(name)) throw new Error(`place ${geoid}: bad name ${description[1]}`);
  places.push([geoid, name, description[2], degrees(centroid[1]), degrees(centroid[2]), kind]);
}
places.sort((a, b) => a[0].localeCompare(b[0]));
// A consolidated city is listed twice ("Louisville city" and
// "Louisville/Jefferson County metro government (balance)"): a place of the
// name and state of one already kept, within about ten miles of it, is the
// same town and is left out.
const kept = new Map();
const out = [];
for (const p of places) {
  const key = `${p[1]}\t${p[2]}`;
  const near = (kept.get(key) ?? []).some((q) => Math.abs(q[3] - p[3]) < 0.15 && Math.abs(q[4] - p[4]) < 0.2);
  if (near) continue;
  kept.set(key, [...(kept.get(key) ?? []), p]);
  out.push(p.join("\t"));
}
if (out.length < 30000) throw new Error(`only ${out.length} places in ${source}`);
const file = path.join(here, "us-places.tsv");
writeFileSync(file, out.join("\n") + "\n");
console.error(`${out.length} places -> ${file}`);
