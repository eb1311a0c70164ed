//! Listing packages page by page (`GET /packages?from=&to=`, 1-based inclusive, contract §2).

use serde::Deserialize;

use super::model::{nd, Package, PackageStatus};
use super::OnespanClient;
use crate::error::{Error, Result};

/// Largest page OneSpan serves.
pub const MAX_PAGE_SIZE: u32 = 100;

/// Sort direction.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SortDirection {
    /// Ascending.
    Asc,
    /// Descending.
    Desc,
}

/// What to list. Default: every package, 50 per page.
#[derive(Debug, Clone)]
pub struct ListQuery {
    /// Only packages with this status (sent as `query=<STATUS>`, as the Java SDK does).
    pub status: Option<PackageStatus>,
    /// Full-text search (e.g. a transaction's name, to find one whose creation outcome is
    /// unknown).
    pub search: Option<String>,
    /// Packages per page, 1–100.
    pub page_size: u32,
    /// Sort field (e.g. `updated`, `name`).
    pub sort: Option<String>,
    /// Sort direction.
    pub dir: Option<SortDirection>,
}

impl Default for ListQuery {
    fn default() -> Self {
        ListQuery {
            status: None,
            search: None,
            page_size: 50,
            sort: None,
            dir: None,
        }
    }
}

impl ListQuery {
    /// Every package, 50 per page.
    pub fn new() -> ListQuery {
        ListQuery::default()
    }

    /// Only packages with `status`.
    pub fn status(mut self, status: PackageStatus) -> ListQuery {
        self.status = Some(status);
        self
    }

    /// Search for `text`.
    pub fn search(mut self, text: impl Into<String>) -> ListQuery {
        self.search = Some(text.into());
        self
    }

    /// `n` packages per page (1–100).
    pub fn page_size(mut self, n: u32) -> ListQuery {
        self.page_size = n;
        self
    }

    /// Sort by `field` in `dir`.
    pub fn sort(mut self, field: impl Into<String>, dir: SortDirection) -> ListQuery {
        self.sort = Some(field.into());
        self.dir = Some(dir);
        self
    }

    pub(crate) fn validate(&self) -> Result<()> {
        if self.page_size == 0 || self.page_size > MAX_PAGE_SIZE {
            return Err(Error::invalid_argument(format!(
                "page_size {} is out of range; OneSpan serves 1-{MAX_PAGE_SIZE} packages per page",
                self.page_size
            )));
        }
        Ok(())
    }

    /// The query string pairs for the page starting at `from` (1-based).
    pub(crate) fn pairs(&self, from: u64) -> Vec<(&'static str, String)> {
        let mut p = vec![
            ("from", from.to_string()),
            ("to", (from + u64::from(self.page_size) - 1).to_string()),
        ];
        if let Some(s) = &self.status {
            p.push(("query", s.as_str().to_string()));
        }
        if let Some(s) = &self.search {
            p.push(("search", s.clone()));
        }
        if let Some(s) = &self.sort {
            p.push(("sort", s.clone()));
        }
        if let Some(d) = self.dir {
            p.push((
                "dir",
                match d {
                    SortDirection::Asc => "asc",
                    SortDirection::Desc => "desc",
                }
                .to_string(),
            ));
        }
        p
    }
}

/// One page of a listing.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct Page {
    /// How many packages match in total.
    #[serde(default, deserialize_with = "nd")]
    pub count: u64,
    /// This page's packages.
    #[serde(default, deserialize_with = "nd", rename = "results")]
    pub packages: Vec<Package>,
}

/// Walks a listing page by page: `while let Some(page) = pager.next_page().await? { ... }`.
///
/// Pages are fetched lazily, one request each. Packages created or deleted while paging can
/// shift later pages (OneSpan pages by position).
#[derive(Debug)]
pub struct PackagePager {
    client: OnespanClient,
    query: ListQuery,
    /// 1-based position of the next page.
    next_from: u64,
    total: Option<u64>,
    done: bool,
}

impl PackagePager {
    pub(crate) fn new(client: OnespanClient, query: ListQuery) -> PackagePager {
        PackagePager {
            client,
            query,
            next_from: 1,
            total: None,
            done: false,
        }
    }

    /// The next page, or `None` after the last one.
    pub async fn next_page(&mut self) -> Result<Option<Page>> {
        if self.done {
            return Ok(None);
        }
        self.query.validate()?;
        let page = self.client.list_page(&self.query, self.next_from).await?;
        self.total = Some(page.count);
        let got = page.packages.len() as u64;
        self.next_from += got;
        if got == 0 || self.next_from > page.count {
            self.done = true;
        }
        if got == 0 {
            return Ok(None);
        }
        Ok(Some(page))
    }

    /// The total number of matching packages, known after the first page.
    pub fn total(&self) -> Option<u64> {
        self.total
    }

    /// Fetch every remaining page and return all their packages.
    pub async fn collect_all(mut self) -> Result<Vec<Package>> {
        let mut out = Vec::new();
        while let Some(page) = self.next_page().await? {
            out.extend(page.packages);
        }
        Ok(out)
    }
}
