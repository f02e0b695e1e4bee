"""Agency settings (issue 13): working weeks per year, the meeting's day and length."""

import django.core.validators
import salesculture.models
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('salesculture', '0006_invitation'),
    ]

    operations = [
        migrations.AddField(
            model_name='agency',
            name='meeting_minutes',
            field=models.PositiveSmallIntegerField(default=30, validators=[django.core.validators.MinValueValidator(5, 'A meeting lasts between 5 and 240 minutes.'), django.core.validators.MaxValueValidator(240, 'A meeting lasts between 5 and 240 minutes.')]),
        ),
        migrations.AddField(
            model_name='agency',
            name='meeting_weekday',
            field=models.PositiveSmallIntegerField(choices=[(0, 'Monday'), (1, 'Tuesday'), (2, 'Wednesday'), (3, 'Thursday'), (4, 'Friday'), (5, 'Saturday'), (6, 'Sunday')], default=0, help_text='The day of the weekly accountability meeting.'),
        ),
        migrations.AddField(
            model_name='agency',
            name='working_weeks_per_year',
            field=models.PositiveSmallIntegerField(default=salesculture.models.default_working_weeks, validators=[django.core.validators.MinValueValidator(1, 'Enter a number of weeks between 1 and 52.'), django.core.validators.MaxValueValidator(52, 'Enter a number of weeks between 1 and 52.')]),
        ),
        migrations.AlterField(
            model_name='auditevent',
            name='kind',
            field=models.CharField(choices=[('prospect.edited', 'Prospect edited'), ('prospect.owner_changed', 'Prospect given to someone else'), ('prospect.deleted', 'Prospect deleted'), ('commitment.created', 'Commitment made'), ('commitment.withdrawn', 'Commitment withdrawn'), ('commitment.ticked', 'Promise ticked done'), ('commitment.unticked', 'Promise unticked'), ('goal.changed', 'Goal changed'), ('why.changed', 'Why changed'), ('role.changed', 'Role changed'), ('producer.deactivated', 'Person deactivated'), ('producer.reactivated', 'Person reactivated'), ('tv_link.created', 'TV link created'), ('tv_link.revoked', 'TV link revoked'), ('agency.created', 'Agency created'), ('invitation.sent', 'Invitation sent'), ('invitation.resent', 'Invitation sent again'), ('invitation.revoked', 'Invitation revoked'), ('invitation.accepted', 'Invitation accepted'), ('agency.changed', 'Agency settings changed'), ('stage.added', 'Stage added'), ('stage.changed', 'Stage changed'), ('stage.moved', 'Stage moved'), ('stage.retired', 'Stage retired'), ('stage.restored', 'Stage brought back'), ('stage.deleted', 'Stage deleted'), ('activity_type.added', 'Activity type added'), ('activity_type.changed', 'Activity type changed'), ('activity_type.moved', 'Activity type moved'), ('activity_type.retired', 'Activity type retired'), ('activity_type.restored', 'Activity type brought back'), ('lost_reason.added', 'Lost reason added'), ('lost_reason.changed', 'Lost reason changed'), ('lost_reason.moved', 'Lost reason moved'), ('lost_reason.retired', 'Lost reason retired'), ('lost_reason.restored', 'Lost reason brought back'), ('team.added', 'Team added'), ('team.renamed', 'Team renamed'), ('producer.team_changed', 'Moved to another team')], max_length=32),
        ),
    ]
