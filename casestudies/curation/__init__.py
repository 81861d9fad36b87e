"""The CDG curators' review and decisions, mounted by the public site's URLs (BASE_DOMAIN): the
review queue and its decisions (API and admin), unpublishing an entry, the bulk import page.

A decision is one downward call: from the public request, enter the one schema of the
submission's collectivité and run the use-case service there (never a loop over schemas)."""
