# Import by the credential's Oomnitza id (Configuration > Security > Credentials).
terraform import oomnitza_jira_credential.users 66f2a8c41b7e4d0012ab34cd
