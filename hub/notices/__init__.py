"""DJI's risk notices (Pbw art. 18b and BIJ, issue 16): received, routed by the mayor's mandate, read under
the policy."""
