"""Ingram Micro's legacy XML API (IM-XML, API type "XML"): client, documents, adapter and Run
Test checks. The second transport of the Ingram package, beside ``rest/``."""
