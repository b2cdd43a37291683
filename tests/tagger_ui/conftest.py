"""The tagger UI tests open their browser inside the test (`pickhelpers.session`): async
generator fixtures tear down after the per-test qasync loop has stopped, which leaks the
Playwright driver process."""
