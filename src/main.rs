fn main() -> std::process::ExitCode {
    accredit::cli::run()
}
