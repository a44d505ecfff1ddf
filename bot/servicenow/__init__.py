"""ServiceNow: instance validation, OAuth, the Table API client and its models."""
