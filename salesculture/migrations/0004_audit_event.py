import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('salesculture', '0003_dirty_week'),
    ]

    operations = [
        migrations.CreateModel(
            name='AuditEvent',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('actor_label', models.CharField(blank=True, max_length=160)),
                ('at', models.DateTimeField()),
                ('kind', models.CharField(choices=[('prospect.edited', 'Prospect edited'), ('prospect.owner_changed', 'Prospect given to someone else'), ('prospect.deleted', 'Prospect deleted'), ('commitment.created', 'Commitment made'), ('commitment.withdrawn', 'Commitment withdrawn'), ('commitment.ticked', 'Promise ticked done'), ('commitment.unticked', 'Promise unticked'), ('goal.changed', 'Goal changed'), ('why.changed', 'Why changed'), ('role.changed', 'Role changed'), ('producer.deactivated', 'Person deactivated'), ('producer.reactivated', 'Person reactivated'), ('tv_link.created', 'TV link created'), ('tv_link.revoked', 'TV link revoked')], max_length=32)),
                ('subject_type', models.CharField(max_length=64)),
                ('subject_id', models.PositiveBigIntegerField(blank=True, null=True)),
                ('subject_label', models.CharField(blank=True, max_length=240)),
                ('changes', models.JSONField(blank=True, default=dict)),
                ('actor', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to='salesculture.producer')),
                ('agency', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='audit_events', to='salesculture.agency')),
            ],
            options={
                'ordering': ['-at', '-id'],
                'indexes': [models.Index(fields=['agency', 'at'], name='audit_agency_at'), models.Index(fields=['agency', 'actor', 'at'], name='audit_agency_actor_at')],
            },
        ),
    ]
