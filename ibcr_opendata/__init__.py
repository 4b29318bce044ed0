"""Open data: the public view of the data as files others can take with them.

The whole dataset as a Frictionless data package (a ZIP) and as one SQLite file, an IATI 2.03
activity file, the SQLite file served read-only by Datasette, and charts as pictures. Every file
is made from a `Release`, which holds only the public view (`ibcr_data.audience.view_for`).
No Streamlit here: the dashboard's Sources page and the command line (`python -m ibcr_opendata`)
both call these functions.
"""
