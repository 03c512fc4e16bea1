//! Browser tests: Debian's Chromium driven through chromedriver (W3C WebDriver) against
//! the real server. They run when `ACCREDIT_TEST_BROWSER` is set.

mod webdriver;

mod api_docs;
mod audit;
mod homes;
mod integration;
mod landing;
mod mobile;
mod panel;
mod programmes;
mod school_year;
mod self_evaluation;
mod sign_in;
mod sign_off;
