"""policyengine: a call centre's management rules as data."""
