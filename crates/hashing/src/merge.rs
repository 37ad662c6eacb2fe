//! Uniting filters: `leakmatch merge`.

use std::path::Path;

use crate::file::DEFAULT_FPR_PROBES;
use crate::{BlockedBloom, Filter, FilterError, TokenKind};

impl Filter {
    /// Unites filters built with the same key, normalization version and parameters.
    ///
    /// Counts add up and kinds unite; the target FPR is the largest; `measured_fpr` is re-measured with
    /// [`measure_fpr`](Self::measure_fpr) and [`DEFAULT_FPR_PROBES`], as a build does, so
    /// merging the filters of A and B gives the bytes of one build from A and B.
    pub fn merge(filters: &[Filter]) -> Result<Filter, FilterError> {
        Filter::merge_with(filters, BlockedBloom::try_clone)
    }

    /// [`Filter::merge`], built in place for the file `path` it will be saved to (see
    /// [`BlockedBloom::new_for_file`]): saving there then needs no copy.
    pub fn merge_for_file(filters: &[Filter], path: &Path) -> Result<Filter, FilterError> {
        Filter::merge_with(filters, |b| b.try_clone_for_file(path))
    }

    fn merge_with(
        filters: &[Filter],
        copy: impl FnOnce(&BlockedBloom) -> Result<BlockedBloom, FilterError>,
    ) -> Result<Filter, FilterError> {
        let incompatible = |reason: String| FilterError::Incompatible { reason };
        let (first, rest) = filters
            .split_first()
            .ok_or_else(|| incompatible("no filters to merge".into()))?;
        let mut header = first.header.clone();
        let mut bloom = copy(&first.bloom)?;
        for (i, f) in rest.iter().enumerate() {
            let h = &f.header;
            if h.auth != header.auth {
                return Err(incompatible(format!(
                    "filter {} is authenticated by {}, filter 1 by {}",
                    i + 2,
                    h.auth,
                    header.auth
                )));
            }
            if h.normalization_version != header.normalization_version {
                return Err(incompatible(format!(
                    "filter {} uses normalization version {}, filter 1 version {}",
                    i + 2,
                    h.normalization_version,
                    header.normalization_version
                )));
            }
            bloom.union_with(&f.bloom).map_err(|_| {
                incompatible(format!(
                    "filter {} has parameters {:?}, filter 1 {:?}",
                    i + 2,
                    f.bloom.params(),
                    header.params
                ))
            })?;
            header.kinds = header.kinds.union(h.kinds);
            for kind in TokenKind::ALL {
                header.counts.add(kind, h.counts.get(kind));
            }
            header.target_fpr = header.target_fpr.max(h.target_fpr);
        }
        let mut merged = Filter { header, bloom };
        merged.header.measured_fpr = merged.measure_fpr(DEFAULT_FPR_PROBES);
        Ok(merged)
    }
}
