"""Ingram Micro's legacy XML API ("IM-XML", API type "XML") beside the REST one: one POST
endpoint dispatching on the root element (XML-NOTES 2.1), over the same catalog, orders and
clock as the REST routes, so an order placed one way is seen the other way."""
