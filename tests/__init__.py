"""The test suite. Test files are named for the feature they test; shared helpers live in
modules without the test_ prefix, one home each, and test files import only from those:

- conftest.py: fixtures (the seed and small guides, editor and superuser clients);
- answers.py: answer sets, query strings, storing a result as a visitor does;
- builders.py: guide documents built in code (small ones, a contradicting one, a large one);
- questionnaire_pages.py: questionnaire URLs, an HTML reader, a browser-like submit;
- stored_results.py: creating results, their URLs, reading the permalink page;
- admin_forms.py: reading and posting admin forms;
- guide_files.py: loadguide/dumpguide, YAML files, the database state a load must keep;
- servers.py: production environments, a running bin/start, raw HTTP, a scratch database;
- visits.py: visitors walking a questionnaire page by page, leaving early or finishing;
- security_headers.py: the headers every page must carry;
- migrations.py: moving the test database along the migration graph.
"""
