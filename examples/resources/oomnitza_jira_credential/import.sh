# Import by the credential's Oomnitza id (Configuration > Security > Credentials).
terraform import oomnitza_jira_credential.users 3f6c2a0e-6a53-4a0e-9d59-2f2b8f0a6c11
