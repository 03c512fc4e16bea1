DROP TABLE school_metrics;
