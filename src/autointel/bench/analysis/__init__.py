"""The harness's analysis layer: from recorded samples to the typed results, every statistic delegated to
`autointel.stats`. Nothing here runs, schedules or measures anything; `autointel.bench` (the harness) calls it."""
