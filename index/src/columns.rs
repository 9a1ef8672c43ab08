//! The columns a search filters, counts and sorts on, held in memory.
//!
//! When a generation is opened, each segment's fast fields (`ord`, `lat`,
//! `lon`, the facet bit set) are read once into plain arrays, and two access
//! paths are built from them:
//! - a spatial order: the documents that have a point, sorted by latitude
//!   cell ([`CELL_DEGREES`]) then longitude, so a place query visits only the
//!   documents in its bounding box instead of every document; the point,
//!   facet bits and `ord` of each are copied in that order too, so the visit
//!   reads memory in sequence (read by document id, every visited document
//!   was a cache miss: a third of a 1M place query);
//! - one bit set per facet value over the segment's documents, so a browse
//!   with no place and no text counts every facet value with word-wide AND and
//!   popcount instead of a pass over the documents.
//!
//! For a million listings this costs about 110 MB, and 8 MB more for the
//! cosines of latitude the spatial order keeps.

use crate::geo::{
    cos_lat, haversine_estimate, haversine_miles, haversine_miles_cos, Leg, EARTH_RADIUS_MILES,
    ESTIMATE_RELATIVE_ERROR,
};
use crate::schema::Fields;
use std::f64::consts::FRAC_PI_2;
use tantivy::{DocId, SegmentReader};

/// Height of a latitude cell of the spatial order, in degrees.
pub const CELL_DEGREES: f64 = 0.5;

/// Miles in one degree of latitude, rounded down so bands are never too narrow
/// (the true figure is 69.09 for R = 3958.8 mi).
const MILES_PER_DEGREE_LAT_MIN: f64 = 68.7;

pub(crate) struct SegmentColumns {
    pub words: usize,
    pub lat: Vec<f64>,
    pub lon: Vec<f64>,
    pub ord: Vec<u32>,
    /// `bits[doc * words + w]`: word `w` of the document's facet bit set.
    pub bits: Vec<u64>,
    /// Live (not deleted) documents, one bit each.
    pub alive: Vec<u64>,
    /// Per facet value id, the live documents that have it.
    pub postings: Vec<Vec<u64>>,
    /// Documents with a point, sorted by (cell, lon); the `spatial_*`
    /// columns run parallel to `spatial_doc`.
    spatial_doc: Vec<DocId>,
    spatial_key: Vec<(i32, f64)>,
    spatial_lat: Vec<f64>,
    /// [`cos_lat`] of `spatial_lat`, for the haversine distance.
    spatial_cos_lat: Vec<f64>,
    spatial_ord: Vec<u32>,
    /// `spatial_bits[i * words + w]`: word `w` of the `i`th document's bits.
    spatial_bits: Vec<u64>,
}

/// A document found by [`SegmentColumns::within`].
pub(crate) struct Near<'a> {
    pub doc: DocId,
    pub ord: u32,
    pub bits: &'a [u64],
    /// From the search's origin to the document's point.
    pub leg: Leg,
}

/// Haversines of central angles surely within `radius` miles (below the
/// first) and surely beyond it (above the second), for estimates as close
/// as [`ESTIMATE_RELATIVE_ERROR`]; between the two, the distance itself
/// decides. The bounds are a billionth apart on either side of
/// sin²(radius / 2R): far more than that error and the rounding of the
/// distance's arcsine and square root (a few parts in 10¹⁶). A radius near
/// the antipodes or under about 10⁻⁹⁶ miles leaves every document to the
/// distance.
fn hav_bounds(radius: f64) -> (f64, f64) {
    let half_angle = radius / (2.0 * EARTH_RADIUS_MILES);
    if !(radius >= 0.0 && half_angle < 1.5) {
        return (-1.0, f64::INFINITY);
    }
    let hav = half_angle.sin().powi(2);
    if hav < 1e-200 {
        return (-1.0, f64::INFINITY);
    }
    const MARGIN: f64 = 1e-9;
    const _: () = assert!(ESTIMATE_RELATIVE_ERROR < MARGIN / 1000.0);
    (hav * (1.0 - MARGIN), hav * (1.0 + MARGIN))
}

fn cell(lat: f64) -> i32 {
    ((lat + 90.0) / CELL_DEGREES).floor() as i32
}

pub(crate) fn bitset_words(docs: usize) -> usize {
    docs.div_ceil(64)
}

impl SegmentColumns {
    pub fn read(
        segment: &SegmentReader,
        fields: &Fields,
        values: usize,
    ) -> tantivy::Result<SegmentColumns> {
        let ff = segment.fast_fields();
        let schema = segment.schema();
        let name = |f| schema.get_field_name(f).to_string();
        let ord_column = ff.u64(&name(fields.ord))?;
        let lat_column = ff.f64(&name(fields.lat))?;
        let lon_column = ff.f64(&name(fields.lon))?;
        let bit_columns = fields
            .bits
            .iter()
            .map(|&f| ff.u64(&name(f)))
            .collect::<tantivy::Result<Vec<_>>>()?;
        let words = bit_columns.len();
        let max_doc = segment.max_doc() as usize;
        let mut columns = SegmentColumns {
            words,
            lat: Vec::with_capacity(max_doc),
            lon: Vec::with_capacity(max_doc),
            ord: Vec::with_capacity(max_doc),
            bits: Vec::with_capacity(max_doc * words),
            alive: vec![0; bitset_words(max_doc)],
            postings: vec![vec![0; bitset_words(max_doc)]; values],
            spatial_doc: Vec::new(),
            spatial_key: Vec::new(),
            spatial_lat: Vec::new(),
            spatial_cos_lat: Vec::new(),
            spatial_ord: Vec::new(),
            spatial_bits: Vec::new(),
        };
        let mut spatial: Vec<(i32, f64, DocId)> = Vec::with_capacity(max_doc);
        for doc in 0..max_doc as DocId {
            let lat = lat_column.first(doc).unwrap_or(f64::NAN);
            let lon = lon_column.first(doc).unwrap_or(f64::NAN);
            let ord = ord_column.first(doc).unwrap_or(u64::from(u32::MAX));
            columns.lat.push(lat);
            columns.lon.push(lon);
            columns.ord.push(u32::try_from(ord).map_err(|_| {
                tantivy::TantivyError::InvalidArgument(format!("ord {ord} does not fit 32 bits"))
            })?);
            let (word, bit) = (doc as usize / 64, 1u64 << (doc % 64));
            for column in &bit_columns {
                columns.bits.push(column.first(doc).unwrap_or(0));
            }
            if segment.is_deleted(doc) {
                continue;
            }
            columns.alive[word] |= bit;
            let start = doc as usize * words;
            for w in 0..words {
                let mut set = columns.bits[start + w];
                while set != 0 {
                    let value = w * 64 + set.trailing_zeros() as usize;
                    if let Some(posting) = columns.postings.get_mut(value) {
                        posting[word] |= bit;
                    }
                    set &= set - 1;
                }
            }
            if lat.abs() <= 90.0 && lon.abs() <= 180.0 {
                spatial.push((cell(lat), lon, doc));
            }
        }
        columns.order_spatially(spatial);
        Ok(columns)
    }

    /// Fill the spatial order from the live documents with a point, as
    /// (cell, lon, doc).
    fn order_spatially(&mut self, mut spatial: Vec<(i32, f64, DocId)>) {
        let columns = self;
        spatial.sort_unstable_by(|a, b| a.0.cmp(&b.0).then(a.1.total_cmp(&b.1)));
        columns.spatial_doc = spatial.iter().map(|s| s.2).collect();
        columns.spatial_key = spatial.iter().map(|s| (s.0, s.1)).collect();
        columns.spatial_lat = spatial.iter().map(|s| columns.lat[s.2 as usize]).collect();
        columns.spatial_cos_lat = columns.spatial_lat.iter().map(|&l| cos_lat(l)).collect();
        columns.spatial_ord = spatial.iter().map(|s| columns.ord[s.2 as usize]).collect();
        columns.spatial_bits = spatial
            .iter()
            .flat_map(|s| columns.doc_bits(s.2).iter().copied())
            .collect();
    }

    /// A document's `ord` and facet bits, by document id.
    pub fn row(&self, doc: DocId) -> (u32, &[u64]) {
        (self.ord[doc as usize], self.doc_bits(doc))
    }

    pub fn doc_bits(&self, doc: DocId) -> &[u64] {
        let start = doc as usize * self.words;
        &self.bits[start..start + self.words]
    }

    pub fn is_alive(&self, doc: DocId) -> bool {
        self.alive[doc as usize / 64] & (1 << (doc % 64)) != 0
    }

    /// Calls `found` for every live document within `radius` miles of the
    /// origin (haversine, inclusive), in no particular order.
    ///
    /// Only the cells of the latitude band the radius can reach are visited,
    /// and within each cell only the longitudes it can reach: the longitude
    /// half-width of a spherical cap of angular radius θ around latitude φ is
    /// asin(sin θ / cos φ) (widened slightly, and dropped near the poles or
    /// across the antimeridian, where the whole band is visited). Every
    /// candidate is then checked with the exact distance, so the bounds only
    /// decide what is looked at, never what matches.
    ///
    /// The cells are half a degree tall, so about half of what they hold is
    /// outside the band of latitudes the radius reaches ([`lat_band`]): those
    /// are passed over on one comparison. The others' haversine is
    /// estimated ([`haversine_estimate`], with each document's cosine of
    /// latitude kept from the start) and compared with bounds on either side
    /// of the radius' ([`hav_bounds`]): only the few between them need their
    /// distance to decide, whose bits are those of [`haversine_miles`].
    pub fn within<'a>(
        &'a self,
        olat: f64,
        olon: f64,
        radius: f64,
        mut found: impl FnMut(Near<'a>),
    ) {
        let band = lat_band(olat, olon, radius);
        let origin = (olat, olon, cos_lat(olat));
        let (surely_in, surely_out) = hav_bounds(radius);
        for range in self.box_ranges(olat, olon, radius) {
            for i in range {
                let lat = self.spatial_lat[i];
                if (lat - olat).abs() > band {
                    continue;
                }
                let lon = self.spatial_key[i].1;
                let to = (lat, lon, self.spatial_cos_lat[i]);
                let estimate = haversine_estimate(origin, to);
                // (a NaN is outside, as its distance would be)
                let inside = if estimate < surely_in {
                    true
                } else if estimate <= surely_out {
                    haversine_miles_cos(origin, to) <= radius
                } else {
                    false
                };
                if !inside {
                    continue;
                }
                // (the spatial order holds live documents only)
                found(Near {
                    doc: self.spatial_doc[i],
                    ord: self.spatial_ord[i],
                    bits: &self.spatial_bits[i * self.words..(i + 1) * self.words],
                    leg: Leg {
                        from: origin,
                        to,
                        estimate,
                    },
                });
            }
        }
    }

    /// How many documents [`SegmentColumns::within`] would look at: the size
    /// of the bounding box, found by binary searches only.
    pub fn box_size(&self, olat: f64, olon: f64, radius: f64) -> usize {
        self.box_ranges(olat, olon, radius).map(|r| r.len()).sum()
    }

    /// The document's distance from the origin when it has a point within
    /// `radius` miles (haversine, inclusive).
    pub fn distance_within(&self, doc: DocId, olat: f64, olon: f64, radius: f64) -> Option<f64> {
        let (lat, lon) = (self.lat[doc as usize], self.lon[doc as usize]);
        if !(lat.abs() <= 90.0 && lon.abs() <= 180.0) {
            return None;
        }
        let miles = haversine_miles(olat, olon, lat, lon);
        (miles <= radius).then_some(miles)
    }

    /// The ranges of the spatial order inside the radius' bounding box, one
    /// per latitude cell.
    fn box_ranges(
        &self,
        olat: f64,
        olon: f64,
        radius: f64,
    ) -> impl Iterator<Item = std::ops::Range<usize>> + '_ {
        let valid = radius >= 0.0 && olat.is_finite() && olon.is_finite();
        let band = lat_band(olat, olon, radius);
        let theta = radius / EARTH_RADIUS_MILES;
        let lon_half_width = if theta < FRAC_PI_2 && olat.abs() + band < 89.0 {
            let s = theta.sin() / olat.to_radians().cos();
            (s < 1.0).then(|| s.asin().to_degrees() * 1.001 + 1e-6)
        } else {
            None
        };
        let (lon_min, lon_max) = match lon_half_width {
            Some(w) if olon - w >= -180.0 && olon + w <= 180.0 => (olon - w, olon + w),
            _ => (f64::NEG_INFINITY, f64::INFINITY),
        };
        let cells = if valid {
            cell(olat - band)..cell(olat + band) + 1
        } else {
            0..0
        };
        cells.map(move |c| {
            let start = self
                .spatial_key
                .partition_point(|&(kc, klon)| kc < c || (kc == c && klon < lon_min));
            let end = self
                .spatial_key
                .partition_point(|&(kc, klon)| kc < c || (kc == c && klon <= lon_max));
            start..end.max(start)
        })
    }
}

/// How far in latitude (degrees) a point within `radius` miles of the
/// origin can be, with a margin: a great-circle distance d is at least
/// R·|Δφ|, so |Δφ| <= d / 69.09 degrees; the band divides by 68.7 and adds
/// 1e-6 degrees, far above rounding. 0 when the search cannot match.
fn lat_band(olat: f64, olon: f64, radius: f64) -> f64 {
    if radius >= 0.0 && olat.is_finite() && olon.is_finite() {
        radius / MILES_PER_DEGREE_LAT_MIN + 1e-6
    } else {
        0.0
    }
}

/// Number of set bits in `a AND b`.
pub(crate) fn and_count(a: &[u64], b: &[u64]) -> u64 {
    a.iter()
        .zip(b)
        .map(|(x, y)| u64::from((x & y).count_ones()))
        .sum()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cells_are_half_degree_rows_from_the_south_pole() {
        assert_eq!(cell(-90.0), 0);
        assert_eq!(cell(-89.6), 0);
        assert_eq!(cell(-89.5), 1);
        assert_eq!(cell(0.0), 180);
        assert_eq!(cell(40.7), 261);
    }

    /// Columns of live documents at `points` (doc id = position), no facets.
    fn columns_of(points: &[(f64, f64)]) -> SegmentColumns {
        let n = points.len();
        let mut columns = SegmentColumns {
            words: 1,
            lat: points.iter().map(|p| p.0).collect(),
            lon: points.iter().map(|p| p.1).collect(),
            ord: (0..n as u32).collect(),
            bits: vec![0; n],
            alive: vec![u64::MAX; bitset_words(n)],
            postings: Vec::new(),
            spatial_doc: Vec::new(),
            spatial_key: Vec::new(),
            spatial_lat: Vec::new(),
            spatial_cos_lat: Vec::new(),
            spatial_ord: Vec::new(),
            spatial_bits: Vec::new(),
        };
        let spatial = points
            .iter()
            .enumerate()
            .map(|(doc, &(lat, lon))| (cell(lat), lon, doc as DocId))
            .collect();
        columns.order_spatially(spatial);
        columns
    }

    /// `within` (the box, the latitude band, the kept cosines) finds exactly
    /// the documents, and the distances to the bit, of a plain haversine
    /// filter over every point: random places and radii, near the poles and
    /// across the antimeridian too, and points on the band's edge.
    #[test]
    fn within_is_the_plain_haversine_filter() {
        let mut rng = fastrand::Rng::with_seed(17);
        let lat_in = |rng: &mut fastrand::Rng, lo: f64, hi: f64| lo + rng.f64() * (hi - lo);
        for round in 0..60 {
            // places: anywhere, near a pole, near the antimeridian, US-like
            let (olat, olon) = match round % 4 {
                0 => (
                    lat_in(&mut rng, -90.0, 90.0),
                    lat_in(&mut rng, -180.0, 180.0),
                ),
                1 => (
                    if rng.bool() { 1.0 } else { -1.0 } * lat_in(&mut rng, 85.0, 90.0),
                    lat_in(&mut rng, -180.0, 180.0),
                ),
                2 => (
                    lat_in(&mut rng, -70.0, 70.0),
                    if rng.bool() { 1.0 } else { -1.0 } * lat_in(&mut rng, 178.0, 180.0),
                ),
                _ => (
                    lat_in(&mut rng, 25.0, 49.0),
                    lat_in(&mut rng, -125.0, -67.0),
                ),
            };
            let radius = match rng.u8(0..4) {
                0 => rng.f64() * 5.0,
                1 => rng.f64() * 100.0,
                2 => rng.f64() * 1000.0,
                _ => rng.f64() * 13_000.0,
            };
            let reach = (radius / 60.0).min(180.0);
            let mut points: Vec<(f64, f64)> = (0..3000)
                .map(|_| {
                    let lat = (olat + lat_in(&mut rng, -reach, reach)).clamp(-90.0, 90.0);
                    let mut lon = olon + lat_in(&mut rng, -2.0 * reach, 2.0 * reach);
                    if lon > 180.0 {
                        lon -= 360.0;
                    }
                    if lon < -180.0 {
                        lon += 360.0;
                    }
                    (lat, lon.clamp(-180.0, 180.0))
                })
                .collect();
            // on the latitude band's edge, and due north and south at the radius
            let band = lat_band(olat, olon, radius);
            let degrees = radius / (EARTH_RADIUS_MILES * std::f64::consts::PI / 180.0);
            for lat in [olat + band, olat - band, olat + degrees, olat - degrees] {
                if lat.abs() <= 90.0 {
                    points.push((lat, olon));
                }
            }
            // on the radius itself, and a hair inside or outside, in every
            // direction: where the haversine's bounds leave the distance to decide
            let angle = radius / EARTH_RADIUS_MILES;
            for _ in 0..200 {
                let bearing = rng.f64() * std::f64::consts::TAU;
                let nudge =
                    [0.0, 1e-15, -1e-15, 1e-12, -1e-12, 1e-9, -1e-9, 1e-6, -1e-6][rng.usize(0..9)];
                let d = angle * (1.0 + nudge);
                let (p1, l1) = (olat.to_radians(), olon.to_radians());
                let p2 = (p1.sin() * d.cos() + p1.cos() * d.sin() * bearing.cos()).asin();
                let l2 =
                    l1 + (bearing.sin() * d.sin() * p1.cos()).atan2(d.cos() - p1.sin() * p2.sin());
                let lon = (l2.to_degrees() + 540.0).rem_euclid(360.0) - 180.0;
                points.push((p2.to_degrees(), lon));
            }
            let columns = columns_of(&points);
            let mut found: Vec<(DocId, u64)> = Vec::new();
            columns.within(olat, olon, radius, |near| {
                found.push((near.doc, near.leg.miles().to_bits()));
            });
            found.sort_unstable();
            let expected: Vec<(DocId, u64)> = points
                .iter()
                .enumerate()
                .filter_map(|(doc, &(lat, lon))| {
                    let miles = haversine_miles(olat, olon, lat, lon);
                    (miles <= radius).then_some((doc as DocId, miles.to_bits()))
                })
                .collect();
            assert_eq!(
                found, expected,
                "round {round}: ({olat}, {olon}), {radius} miles"
            );
            for (doc, &(lat, lon)) in points.iter().enumerate() {
                let plain = haversine_miles(olat, olon, lat, lon);
                assert_eq!(
                    columns.distance_within(doc as DocId, olat, olon, radius),
                    (plain <= radius).then_some(plain)
                );
            }
        }
    }

    #[test]
    fn and_count_counts_common_bits() {
        assert_eq!(and_count(&[0b1011, u64::MAX], &[0b0110, 1]), 2);
    }
}
